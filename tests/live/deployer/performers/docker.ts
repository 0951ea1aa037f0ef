/**
 * docker provider, RemoteImage, Volume and Network, as pulumi-docker (kreuzwerker/terraform-provider-docker
 * underneath) performs them. Containers are in container.ts.
 */
import { randomBytes } from "node:crypto";
import { DockerHost } from "../dockerHost";
import { sleep } from "../exec";
import { Performer, ResourceState, Target } from "../engine/types";
import { checkKeys, PerformerContext, stateOnlyUpdate } from "./context";

const PROVIDER_KEYS = [
  "host", "sshOpts", "caMaterial", "certMaterial", "keyMaterial", "certPath", "registryAuth",
  "disableDockerDaemonCheck", "version", "pluginDownloadURL",
];

/** The Docker host a provider's inputs describe (the SDK JSON-encodes the list inputs: they arrive as strings). */
function hostOf(name: string, inputs: Record<string, any>): { host: DockerHost; sshOpts?: string[]; check: boolean } {
  checkKeys("docker Provider", inputs, PROVIDER_KEYS);
  const parse = (k: string) => (typeof inputs[k] === "string" ? JSON.parse(inputs[k]) : inputs[k]);
  const sshOpts = parse("sshOpts");
  const registryAuth = parse("registryAuth");
  if (Array.isArray(registryAuth) && registryAuth.length > 0) {
    throw new Error("docker Provider input 'registryAuth' is not supported: the live deployer never pulls or pushes");
  }
  if (sshOpts !== undefined && sshOpts !== null && (!Array.isArray(sshOpts) || sshOpts.some((s: unknown) => typeof s !== "string"))) {
    throw new Error(`docker Provider input 'sshOpts' must be a list of strings, got ${JSON.stringify(sshOpts)}`);
  }
  if (!inputs.host) throw new Error(`docker Provider ${name} has no 'host' (the live deployer needs an explicit host)`);
  const host = new DockerHost({
    host: String(inputs.host),
    sshOpts: sshOpts ?? undefined,
    caMaterial: inputs.caMaterial,
    certMaterial: inputs.certMaterial,
    keyMaterial: inputs.keyMaterial,
    certPath: inputs.certPath,
  });
  return { host, sshOpts: sshOpts ?? undefined, check: parse("disableDockerDaemonCheck") !== true };
}

export function dockerProvider(ctx: PerformerContext): Performer {
  const connect = async (name: string, inputs: Record<string, any>): Promise<DockerHost> => {
    const { host, sshOpts, check } = hostOf(name, inputs);
    ctx.log(`[${host.host}] provider ${name}: checking the engine${sshOpts?.length ? ` (sshOpts: ${sshOpts.length} args)` : ""}`);
    if (check) {
      try {
        const v = await host.cliOk(["version", "--format", "{{.Server.Version}}"], { timeoutMs: 60_000 });
        ctx.log(`[${host.host}] provider ${name}: engine ${v}`);
      } catch (e) {
        host.dispose();
        throw new Error(`docker host ${host.host} is not reachable: ${(e as Error).message}`);
      }
    }
    return host;
  };
  return {
    computed: [],
    async create(t: Target) {
      const host = await connect(t.name, t.inputs);
      const id = `${t.name}-${randomBytes(4).toString("hex")}`;
      ctx.hosts.set(id, host);
      return { id, outputs: { ...t.inputs } };
    },
    // A configuration change keeps the provider's id: its resources stay, and are reached through the new settings.
    async update(old: ResourceState, t: Target) {
      const host = await connect(t.name, t.inputs);
      ctx.hosts.get(old.id)?.dispose();
      ctx.hosts.set(old.id, host);
      return { ...t.inputs };
    },
    async delete(old: ResourceState) {
      ctx.hosts.get(old.id)?.dispose();
      ctx.hosts.delete(old.id);
      return "destroyed";
    },
  };
}

export function remoteImage(ctx: PerformerContext): Performer {
  return {
    computed: ["imageId", "repoDigest"],
    async create(t: Target) {
      checkKeys("RemoteImage", t.inputs, ["name", "keepLocally", "forceRemove", "triggers", "pullTriggers"]);
      const host = ctx.hostFor(t);
      const name = String(t.inputs.name ?? "");
      if (!name) throw new Error("RemoteImage input 'name' is required");
      ctx.log(`[${host.host}] image ${t.name}: inspect ${name} (never pulled)`);
      const info = await host.inspect("image", name);
      if (!info) {
        throw new Error(`image ${name} is not present on docker host ${host.host}; the live deployer never pulls: load it (tests/live/lab/setup.sh)`);
      }
      return { id: `${info.Id}${name}`, outputs: { ...t.inputs, name, imageId: info.Id, repoDigest: (info.RepoDigests ?? [])[0] ?? "" } };
    },
    async update(old, t) {
      return stateOnlyUpdate(old, t);
    },
    async delete(old) {
      // Never removed: the lab loaded it and other containers use it; with keepLocally (all the component sets)
      // the provider does not remove it either.
      if (old.inputs.keepLocally !== true) ctx.log(`image ${old.name}: not removed (the live deployer never removes lab images)`);
      return "nothing";
    },
  };
}

/**
 * Removes a volume or network that still exists; a missing one is "gone", not an error. A volume still in use is
 * retried for 30 s before the delete fails, as the provider does (resource_docker_volume.go, delete retry).
 */
async function removeObject(ctx: PerformerContext, host: DockerHost, kind: "volume" | "network", ref: string, name: string) {
  if (!(await host.inspect(kind, ref))) return "gone" as const;
  ctx.log(`[${host.host}] remove ${kind} ${name}`);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const r = await host.cli([kind, "rm", ref]);
    if (r.code === 0) return "destroyed" as const;
    if (kind !== "volume" || !/in use/i.test(r.stderr) || Date.now() > deadline) {
      throw new Error(`docker -H ${host.host} ${kind} rm ${name} failed: ${r.stderr.trim()}`);
    }
    await sleep(1000);
  }
}

export function volume(ctx: PerformerContext): Performer {
  return {
    computed: ["driver", "mountpoint"],
    async create(t: Target) {
      const inputs = t.inputs;
      checkKeys("Volume", inputs, ["name", "driver", "driverOpts", "labels"]);
      const host = ctx.hostFor(t);
      const argv = ["volume", "create"];
      if (inputs.driver) argv.push("--driver", String(inputs.driver));
      for (const [k, v] of Object.entries(inputs.driverOpts ?? {})) argv.push("--opt", `${k}=${v}`);
      for (const l of (inputs.labels ?? []) as any[]) argv.push("--label", `${l.label}=${l.value}`);
      if (inputs.name) {
        argv.push(String(inputs.name));
        // Docker's VolumeCreate returns an existing volume of that name as it is, and so does the provider:
        // its data (and old labels) stay. That is how a retained volume is found again.
        if (await host.inspect("volume", String(inputs.name))) ctx.log(`[${host.host}] volume ${inputs.name} exists: Docker returns it as it is`);
      }
      ctx.log(`[${host.host}] create volume ${inputs.name ?? "(generated name)"} for ${t.name}`);
      const name = await host.cliOk(argv);
      const info = await host.inspect("volume", name);
      return { id: name, outputs: { ...inputs, name, driver: info?.Driver, mountpoint: info?.Mountpoint } };
    },
    async update() {
      throw new Error("unreachable: every Volume input forces a replacement");
    },
    async delete(old) {
      return removeObject(ctx, ctx.hostFor(old), "volume", old.id, old.id);
    },
  };
}

export function network(ctx: PerformerContext): Performer {
  return {
    computed: ["driver", "scope"],
    async create(t: Target) {
      const inputs = t.inputs;
      checkKeys("Network", inputs, ["name", "driver", "internal", "attachable", "labels", "options", "ipamConfigs", "ipamDriver", "ipv6"]);
      const host = ctx.hostFor(t);
      const name = String(inputs.name ?? t.name);
      const argv = ["network", "create"];
      if (inputs.driver) argv.push("--driver", String(inputs.driver));
      if (inputs.internal) argv.push("--internal");
      if (inputs.attachable) argv.push("--attachable");
      if (inputs.ipv6) argv.push("--ipv6");
      if (inputs.ipamDriver) argv.push("--ipam-driver", String(inputs.ipamDriver));
      for (const l of (inputs.labels ?? []) as any[]) argv.push("--label", `${l.label}=${l.value}`);
      for (const [k, v] of Object.entries(inputs.options ?? {})) argv.push("--opt", `${k}=${v}`);
      for (const c of (inputs.ipamConfigs ?? []) as any[]) {
        checkKeys("Network ipamConfigs[]", c, ["subnet", "gateway", "ipRange", "auxAddress"]);
        if (c.subnet) argv.push("--subnet", c.subnet);
        if (c.gateway) argv.push("--gateway", c.gateway);
        if (c.ipRange) argv.push("--ip-range", c.ipRange);
        for (const [k, v] of Object.entries(c.auxAddress ?? {})) argv.push("--aux-address", `${k}=${v}`);
      }
      argv.push(name);
      if (await host.inspect("network", name)) {
        throw new Error(`network ${name} already exists on docker host ${host.host} (left over from an earlier run? remove it)`);
      }
      ctx.log(`[${host.host}] create network ${name} for ${t.name}`);
      const id = await host.cliOk(argv);
      const info = await host.inspect("network", id);
      return { id, outputs: { ...inputs, name, driver: info?.Driver, scope: info?.Scope } };
    },
    async update() {
      throw new Error("unreachable: every Network input forces a replacement");
    },
    async delete(old) {
      return removeObject(ctx, ctx.hostFor(old), "network", old.id, String(old.outputs.name ?? old.id));
    },
  };
}
