/**
 * LiveDeployer: a `pulumi.runtime.Mocks` that PERFORMS every resource for real against Docker hosts, standing in
 * for the Pulumi engine + the docker/command/random providers (which cannot be installed here).
 *
 *   const d = new LiveDeployer({ log: console.log });
 *   const out = await d.deploy("stack", async () => {
 *     const c = new EtcdCluster(...);
 *     return { endpoints: c.clientEndpoints };
 *   });
 *   await d.destroy();
 *
 * How failures travel (checked with @pulumi/pulumi 3.270): if `newResource` throws/rejects, the mock monitor
 * turns it into a failed RegisterResource, every Output of that resource and of everything depending on it
 * rejects, and each of those rejections is UNHANDLED (one per output property: dozens of
 * "error serializing property ...: failed to register new resource ..." unhandled rejections), while the
 * dependents' outputs never resolve. So this class never lets `newResource` reject: a failed operation is
 * recorded and its promise is left pending forever, which also means nothing depending on it ever starts
 * (like the engine, which stops at the first error). After a failure, operations that have not started yet are
 * not performed either (recorded in `skipped`). deploy() waits until every started operation has settled, then
 * rejects with a DeploymentError listing each failure.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { randomBytes } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { planContainer, networkConnectArgv, ContainerPlan } from "./containerArgs";
import { DockerHost, isNotFound } from "./dockerHost";
import { run, shQuote, sleep, tail } from "./exec";
import { buildTar } from "./tar";
import { randomId, randomStringResult, randomUuid } from "./randomValues";
import { certRequest, locallySignedCert, privateKey, selfSignedCert, TLS_TYPES, TlsResult } from "./tlsResources";

export interface LiveDeployerOptions {
  /** Receives one line per action (never secret values: env and connection values are not logged). */
  log?: (line: string) => void;
  /** Project name given to setMocks (default "etcd-cluster"). */
  project?: string;
  /** Upper bound for one local/remote command (default 10 minutes). */
  commandTimeoutMs?: number;
  /** Upper bound for resolving the program's returned outputs once all resources are done (default 60 s). */
  outputTimeoutMs?: number;
}

/** One thing the deployer created (in creation order). */
export interface CreatedRecord {
  type: string;
  name: string;
  /** `<stack>::<project>::<type>::<name>` (the mock engine's URN also carries parent types; this does not). */
  urn: string;
  /** The id returned to Pulumi (container id, volume name, network id, ...). */
  id: string;
  /** Docker host (docker resources), `ssh user@host:port` (remote commands), "local" (local commands). */
  host?: string;
  /** Container/volume/network name where it has one. */
  resourceName?: string;
  stack: string;
  destroyed?: boolean;
}

export interface ResourceFailure {
  type: string;
  name: string;
  message: string;
}

export class DeploymentError extends Error {
  constructor(
    readonly failures: ResourceFailure[],
    readonly programError?: unknown,
    readonly skipped: { type: string; name: string }[] = [],
  ) {
    const lines = failures.map((f) => `- ${f.type} "${f.name}": ${f.message}`);
    if (programError !== undefined) {
      lines.unshift(`- the program threw: ${programError instanceof Error ? programError.message : String(programError)}`);
    }
    if (skipped.length) lines.push(`(not performed after the failure: ${skipped.map((s) => s.name).join(", ")})`);
    super(`deployment failed:\n${lines.join("\n")}`);
    this.name = "DeploymentError";
  }
}

export class DestroyError extends Error {
  constructor(readonly failures: ResourceFailure[], readonly report: DestroyReport) {
    super(`destroy failed:\n${failures.map((f) => `- ${f.type} "${f.name}": ${f.message}`).join("\n")}`);
    this.name = "DestroyError";
  }
}

export interface DestroyReport {
  /** `type name` of what was removed. */
  destroyed: string[];
  /** `type name` of what was already gone (not an error). */
  alreadyGone: string[];
}

type Unwrapped<T> = { [K in keyof T]: pulumi.Unwrap<T[K]> };

const SPECIAL_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** Removes the mock runtime's secret wrappers ({<sig>: <secret sig>, value}); reports whether any was found. */
export function unwrapSecrets(v: any): { value: any; secret: boolean } {
  let secret = false;
  const walk = (x: any): any => {
    if (Array.isArray(x)) return x.map(walk);
    if (x && typeof x === "object") {
      if (x[SPECIAL_SIG] === SECRET_SIG) {
        secret = true;
        return walk(x.value);
      }
      const o: any = {};
      for (const [k, val] of Object.entries(x)) o[k] = walk(val);
      return o;
    }
    return x;
  };
  return { value: walk(v), secret };
}

/** Pulumi-command trims exactly one trailing newline from stdout/stderr. */
function trimOutput(s: string): string {
  return s.endsWith("\n") ? s.slice(0, -1) : s;
}

function checkKeys(what: string, inputs: Record<string, any>, allowed: string[]): void {
  for (const [k, v] of Object.entries(inputs)) {
    if (v === undefined || k.startsWith("__")) continue;
    if (!allowed.includes(k)) throw new Error(`the live deployer does not support ${what} input '${k}'`);
  }
}

interface Undo {
  label: string;
  /** Performs the deletion; returns "gone" when the object did not exist any more. */
  run: () => Promise<"destroyed" | "gone">;
}

interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export class LiveDeployer implements pulumi.runtime.Mocks {
  /** Everything created, in creation order (also what destroy() works through, backwards). */
  readonly created: CreatedRecord[] = [];
  /** Operations not performed because an earlier one failed (last deploy). */
  readonly skipped: { type: string; name: string }[] = [];
  /**
   * `type name` of the resources the last deploy found already in state with the same inputs, and so left
   * alone, as `pulumi up` does for a resource without a diff. Deploying the same program twice to the same
   * stack must leave everything here: that is "a second up changes nothing".
   */
  readonly unchanged: string[] = [];

  /** Inputs and results of what was performed, per stack and resource: what a later deploy is compared with. */
  private readonly performed = new Map<string, { inputs: string; result: { id: string | undefined; state: Record<string, any> } }>();

  private readonly log: (line: string) => void;
  private readonly project: string;
  private readonly commandTimeoutMs: number;
  private readonly outputTimeoutMs: number;
  private readonly hosts = new Map<string, DockerHost>();
  private readonly undos = new Map<CreatedRecord, Undo>();
  private readonly tmpDirs: string[] = [];
  private stack = "stack";
  private inflight = new Set<Promise<void>>();
  private failures: ResourceFailure[] = [];
  private halted = false;
  private deploying = false;

  constructor(opts: LiveDeployerOptions = {}) {
    this.log = opts.log ?? (() => undefined);
    this.project = opts.project ?? "etcd-cluster";
    this.commandTimeoutMs = opts.commandTimeoutMs ?? 10 * 60_000;
    this.outputTimeoutMs = opts.outputTimeoutMs ?? 60_000;
  }

  /**
   * Runs `program` under setMocks(this, project, stack, preview=false), performs every resource it registers,
   * waits until every started operation has settled, and returns the program's record with Outputs resolved.
   * Rejects with a DeploymentError if the program threw or any resource operation failed.
   */
  async deploy<T extends Record<string, unknown> | void>(
    stack: string,
    program: () => Promise<T> | T,
  ): Promise<T extends Record<string, unknown> ? Unwrapped<T> : Record<string, never>> {
    if (this.deploying) throw new Error("LiveDeployer.deploy: a deployment is already running");
    this.deploying = true;
    this.stack = stack;
    this.failures = [];
    this.halted = false;
    this.skipped.length = 0;
    this.unchanged.length = 0;
    this.inflight = new Set();
    try {
      await pulumi.runtime.setMocks(this, this.project, stack, false);
      let result: any;
      let programError: unknown;
      try {
        result = await program();
      } catch (e) {
        programError = e;
        this.halted = true; // like the engine: nothing new starts once the program failed
      }
      await this.settle();
      if (programError !== undefined || this.failures.length > 0) {
        throw new DeploymentError([...this.failures], programError, [...this.skipped]);
      }
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries((result ?? {}) as Record<string, unknown>)) {
        out[k] = await this.resolve(k, v);
      }
      return out as any;
    } finally {
      this.deploying = false;
    }
  }

  /** Waits until the runtime's RPC queue has drained, or (after a failure) until no started operation is running. */
  private async settle(): Promise<void> {
    let drained = false;
    const settings = require("@pulumi/pulumi/runtime/settings");
    if (typeof settings.waitForRPCs === "function") {
      settings.waitForRPCs().then(
        () => (drained = true),
        () => (drained = true),
      );
    }
    // Without waitForRPCs (other SDK version) fall back to "nothing in flight for 1 s".
    let idleSince = Date.now();
    for (;;) {
      if (drained && this.inflight.size === 0) return;
      if ((this.failures.length > 0 || this.halted) && this.inflight.size === 0) {
        await sleep(100); // let operations whose inputs were just resolving reach newResource (they are skipped)
        if (this.inflight.size === 0) return;
      }
      if (typeof settings.waitForRPCs !== "function") {
        if (this.inflight.size > 0) idleSince = Date.now();
        else if (Date.now() - idleSince > 1000) return;
      }
      await sleep(25);
    }
  }

  private async resolve(key: string, v: unknown): Promise<unknown> {
    const o = pulumi.output(v as any);
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        new Promise((res) => o.apply((x: unknown) => { res(x); return x; })),
        new Promise((_, rej) => {
          timer = setTimeout(
            () => rej(new Error(`output '${key}' did not resolve within ${this.outputTimeoutMs} ms after all resources were done`)),
            this.outputTimeoutMs,
          );
        }),
      ]);
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  // ---------------------------------------------------------------- Mocks

  call(args: pulumi.runtime.MockCallArgs): Record<string, any> {
    throw new Error(`the live deployer does not perform function calls (invoke '${args.token}')`);
  }

  newResource(args: pulumi.runtime.MockResourceArgs): Promise<{ id: string | undefined; state: Record<string, any> }> {
    if (this.halted) {
      this.skipped.push({ type: args.type, name: args.name });
      this.log(`skip ${args.type} ${args.name}: an earlier operation failed`);
      return new Promise(() => undefined); // never settles: see the file comment
    }
    const op = this.performOnce(args);
    const tracked: Promise<void> = op.then(
      () => undefined,
      (e: unknown) => {
        const message = e instanceof Error ? e.message : String(e);
        this.failures.push({ type: args.type, name: args.name, message });
        this.halted = true;
        this.log(`FAILED ${args.type} ${args.name}: ${message.split("\n")[0]}`);
      },
    );
    this.inflight.add(tracked);
    void tracked.then(() => this.inflight.delete(tracked));
    return op.catch(() => new Promise(() => undefined));
  }

  // ---------------------------------------------------------------- dispatch

  /**
   * Like the engine with its state: a resource this stack already has with the same inputs is left as it is
   * and keeps its outputs (ids, random values, command stdout); one whose inputs changed would be an update or
   * a replacement, which the deployer does not perform, so it says which inputs changed.
   */
  private async performOnce(args: pulumi.runtime.MockResourceArgs): Promise<{ id: string | undefined; state: Record<string, any> }> {
    const key = `${this.stack}::${args.type}::${args.name}`;
    const inputs = canonicalJson(args.inputs ?? {});
    const before = this.performed.get(key);
    if (before) {
      if (before.inputs !== inputs) {
        const changed = changedKeys(JSON.parse(before.inputs), JSON.parse(inputs));
        throw new Error(`${args.type} ${args.name} is already deployed and its inputs changed (${changed.join(", ")}): ` +
          "the live deployer performs creates only, not updates or replacements");
      }
      this.unchanged.push(`${args.type} ${args.name}`);
      this.log(`unchanged ${args.type} ${args.name}`);
      return before.result;
    }
    const result = await this.perform(args);
    this.performed.set(key, { inputs, result });
    return result;
  }

  private async perform(args: pulumi.runtime.MockResourceArgs): Promise<{ id: string | undefined; state: Record<string, any> }> {
    const { value: inputs, secret } = unwrapSecrets(args.inputs ?? {});
    if (args.id) throw new Error(`the live deployer does not read or import resources (${args.type} ${args.name} id=${args.id})`);
    if (args.custom === false) return { id: `${args.name}`, state: inputs };
    switch (args.type) {
      case "pulumi:providers:docker":
        return this.dockerProvider(args, inputs);
      case "docker:index/remoteImage:RemoteImage":
        return this.remoteImage(args, inputs);
      case "docker:index/volume:Volume":
        return this.volume(args, inputs);
      case "docker:index/network:Network":
        return this.network(args, inputs);
      case "docker:index/container:Container":
        return this.container(args, inputs);
      case "command:local:Command":
        return this.localCommand(args, inputs, secret);
      case "command:remote:Command":
        return this.remoteCommand(args, inputs, secret);
      case "random:index/randomId:RandomId": {
        const r = randomId(inputs);
        this.record(args, r.id);
        return r;
      }
      case "random:index/randomString:RandomString":
      case "random:index/randomPassword:RandomPassword": {
        const type = args.type.split(":").pop()!;
        const result = randomStringResult(type, inputs);
        // RandomPassword's bcryptHash is not produced (no bcrypt in node:crypto); it stays undefined.
        const id = type === "RandomPassword" ? "none" : result;
        this.record(args, id);
        return { id, state: { ...inputs, result } };
      }
      case "random:index/randomUuid:RandomUuid": {
        const r = randomUuid(inputs);
        this.record(args, r.id);
        return r;
      }
      case "pulumi:providers:tls":
        checkKeys("tls Provider", inputs, ["proxy", "version", "pluginDownloadURL"]);
        if (inputs.proxy !== undefined) throw new Error("the live deployer does not support tls Provider input 'proxy'");
        return { id: `${args.name}-${randomBytes(4).toString("hex")}`, state: { ...args.inputs } };
      case TLS_TYPES.privateKey:
        return this.tls(args, privateKey(inputs));
      case TLS_TYPES.selfSignedCert:
        return this.tls(args, await selfSignedCert(inputs));
      case TLS_TYPES.certRequest:
        return this.tls(args, await certRequest(inputs));
      case TLS_TYPES.locallySignedCert:
        return this.tls(args, await locallySignedCert(inputs));
      default:
        throw new Error(`the live deployer does not perform resource type ${args.type}`);
    }
  }

  private record(args: pulumi.runtime.MockResourceArgs, id: string, extra: Partial<CreatedRecord> = {}, undo?: Undo): CreatedRecord {
    const rec: CreatedRecord = {
      type: args.type,
      name: args.name,
      urn: `${this.stack}::${this.project}::${args.type}::${args.name}`,
      id,
      stack: this.stack,
      ...extra,
    };
    this.created.push(rec);
    if (undo) this.undos.set(rec, undo);
    return rec;
  }

  private tmpDir(): string {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), "live-deployer-"));
    this.tmpDirs.push(d);
    return d;
  }

  /**
   * Records a tls resource (nothing to undo: like the provider, deleting it only forgets it) and marks the outputs
   * the SDK lists in additionalSecretOutputs as secret: the mock monitor ignores that option, so without this a
   * private key would come back as a plain Output.
   */
  private tls(args: pulumi.runtime.MockResourceArgs, r: TlsResult) {
    this.log(`[local] tls ${args.type.split(":").pop()} ${args.name}: ${r.summary}`);
    this.record(args, r.id, { host: "local" });
    const state: Record<string, any> = { ...r.state };
    for (const k of r.secretOutputs) {
      if (state[k] !== undefined) state[k] = { [SPECIAL_SIG]: SECRET_SIG, value: state[k] };
    }
    return { id: r.id, state };
  }

  // ---------------------------------------------------------------- docker

  private async dockerProvider(args: pulumi.runtime.MockResourceArgs, inputs: Record<string, any>) {
    checkKeys("docker Provider", inputs, [
      "host", "sshOpts", "caMaterial", "certMaterial", "keyMaterial", "certPath",
      "registryAuth", "disableDockerDaemonCheck", "version", "pluginDownloadURL",
    ]);
    // The SDK JSON-encodes these provider inputs: they arrive as strings.
    const parse = (k: string) => (typeof inputs[k] === "string" ? JSON.parse(inputs[k]) : inputs[k]);
    const sshOpts = parse("sshOpts");
    const registryAuth = parse("registryAuth");
    const noCheck = parse("disableDockerDaemonCheck") === true;
    if (Array.isArray(registryAuth) && registryAuth.length > 0) {
      throw new Error("docker Provider input 'registryAuth' is not supported: the live deployer never pulls or pushes");
    }
    if (sshOpts !== undefined && sshOpts !== null && (!Array.isArray(sshOpts) || sshOpts.some((s: unknown) => typeof s !== "string"))) {
      throw new Error(`docker Provider input 'sshOpts' must be a list of strings, got ${JSON.stringify(sshOpts)}`);
    }
    if (!inputs.host) {
      throw new Error(`docker Provider ${args.name} has no 'host' (the live deployer needs an explicit host)`);
    }
    const host = new DockerHost({
      host: String(inputs.host),
      sshOpts: sshOpts ?? undefined,
      caMaterial: inputs.caMaterial,
      certMaterial: inputs.certMaterial,
      keyMaterial: inputs.keyMaterial,
      certPath: inputs.certPath,
    });
    this.log(`[${host.host}] provider ${args.name}: checking the engine${sshOpts?.length ? ` (sshOpts: ${sshOpts.length} args)` : ""}`);
    if (!noCheck) {
      try {
        const v = await host.cliOk(["version", "--format", "{{.Server.Version}}"], { timeoutMs: 60_000 });
        this.log(`[${host.host}] provider ${args.name}: engine ${v}`);
      } catch (e) {
        host.dispose();
        throw new Error(`docker host ${host.host} is not reachable: ${(e as Error).message}`);
      }
    }
    const id = `${args.name}-${randomBytes(4).toString("hex")}`;
    this.hosts.set(id, host);
    this.record(args, id, { host: host.host }, {
      label: `provider ${args.name}`,
      run: async () => {
        host.dispose();
        this.hosts.delete(id);
        return "destroyed";
      },
    });
    return { id, state: { ...args.inputs } };
  }

  private hostFor(args: pulumi.runtime.MockResourceArgs): DockerHost {
    const ref = args.provider ?? "";
    const sep = ref.lastIndexOf("::");
    const urn = sep >= 0 ? ref.slice(0, sep) : "";
    const host = sep >= 0 ? this.hosts.get(ref.slice(sep + 2)) : undefined;
    if (!ref || !host || /::pulumi:providers:docker::default(_[0-9_]+)?$/.test(urn)) {
      throw new Error(
        `${args.type} ${args.name} has no explicit docker provider created in this deployment ` +
          `(provider=${JSON.stringify(ref)}); the live deployer never uses the default provider: pass { provider }`,
      );
    }
    return host;
  }

  private async remoteImage(args: pulumi.runtime.MockResourceArgs, inputs: Record<string, any>) {
    checkKeys("RemoteImage", inputs, ["name", "keepLocally", "forceRemove", "triggers", "pullTriggers"]);
    const host = this.hostFor(args);
    const name = String(inputs.name ?? "");
    if (!name) throw new Error("RemoteImage input 'name' is required");
    this.log(`[${host.host}] image ${args.name}: inspect ${name} (never pulled)`);
    const info = await host.inspect("image", name);
    if (!info) {
      throw new Error(
        `image ${name} is not present on docker host ${host.host}; the live deployer never pulls: load it (tests/live/lab/setup.sh)`,
      );
    }
    const id = `${info.Id}${name}`;
    // Not removed on destroy: it was not pulled by us, it was loaded by the lab.
    this.record(args, id, { host: host.host, resourceName: name });
    return { id, state: { ...inputs, name, imageId: info.Id, repoDigest: (info.RepoDigests ?? [])[0] ?? "" } };
  }

  private async volume(args: pulumi.runtime.MockResourceArgs, inputs: Record<string, any>) {
    checkKeys("Volume", inputs, ["name", "driver", "driverOpts", "labels"]);
    const host = this.hostFor(args);
    const argv = ["volume", "create"];
    if (inputs.driver) argv.push("--driver", String(inputs.driver));
    for (const [k, v] of Object.entries(inputs.driverOpts ?? {})) argv.push("--opt", `${k}=${v}`);
    for (const l of (inputs.labels ?? []) as any[]) argv.push("--label", `${l.label}=${l.value}`);
    if (inputs.name) {
      // `docker volume create` silently re-uses an existing volume; Pulumi would not own it, so refuse.
      if (await host.inspect("volume", String(inputs.name))) {
        throw new Error(`volume ${inputs.name} already exists on docker host ${host.host} (left over from an earlier run? remove it)`);
      }
      argv.push(String(inputs.name));
    }
    this.log(`[${host.host}] create volume ${inputs.name ?? "(generated name)"} for ${args.name}`);
    const name = await host.cliOk(argv);
    this.record(args, name, { host: host.host, resourceName: name }, this.removal(host, "volume", name, name));
    const info = await host.inspect("volume", name);
    return { id: name, state: { ...inputs, name, driver: info?.Driver, mountpoint: info?.Mountpoint } };
  }

  /** Destroying a volume or network: gone already is fine (reported), otherwise `docker <kind> rm`. */
  private removal(host: DockerHost, kind: "volume" | "network", ref: string, name: string): Undo {
    return {
      label: `${kind} ${name}`,
      run: async () => {
        if (!(await host.inspect(kind, ref))) return "gone";
        this.log(`[${host.host}] remove ${kind} ${name}`);
        await host.cliOk([kind, "rm", ref]);
        return "destroyed";
      },
    };
  }

  private async network(args: pulumi.runtime.MockResourceArgs, inputs: Record<string, any>) {
    checkKeys("Network", inputs, ["name", "driver", "internal", "attachable", "labels", "options", "ipamConfigs", "ipamDriver", "ipv6"]);
    const host = this.hostFor(args);
    const name = String(inputs.name ?? args.name);
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
    this.log(`[${host.host}] create network ${name} for ${args.name}`);
    const id = await host.cliOk(argv);
    this.record(args, id, { host: host.host, resourceName: name }, this.removal(host, "network", id, name));
    const info = await host.inspect("network", id);
    return { id, state: { ...inputs, name, driver: info?.Driver, scope: info?.Scope } };
  }

  private async container(args: pulumi.runtime.MockResourceArgs, inputs: Record<string, any>) {
    const plan: ContainerPlan = planContainer(inputs); // throws on unsupported inputs
    const host = this.hostFor(args);
    for (const u of plan.uploads) {
      if (u.source !== undefined) u.content = fs.readFileSync(u.source);
    }
    if (plan.name && (await host.inspect("container", plan.name))) {
      throw new Error(`container ${plan.name} already exists on docker host ${host.host} (left over from an earlier run? remove it)`);
    }
    const envKeys = ((plan.body.Env ?? []) as string[]).map((e) => e.split("=")[0]);
    this.log(
      `[${host.host}] create container ${plan.name ?? args.name} image=${String(plan.body.Image).slice(0, 19)} ` +
        `env keys=[${envKeys.join(",")}] uploads=[${plan.uploads.map((u) => u.file).join(",")}]`,
    );
    const q = plan.name ? `?name=${encodeURIComponent(plan.name)}` : "";
    const created = await host.api("POST", `/containers/create${q}`, plan.body);
    const id: string = created.Id;
    const label = `container ${plan.name ?? id.slice(0, 12)}`;
    this.record(args, id, { host: host.host, resourceName: plan.name }, {
      label,
      run: async () => {
        if (!(await host.inspect("container", id))) return "gone";
        if (plan.destroyGraceSeconds !== undefined) {
          this.log(`[${host.host}] stop ${label} (grace ${plan.destroyGraceSeconds}s)`);
          await host.cli(["stop", "-t", String(plan.destroyGraceSeconds), id]);
        }
        this.log(`[${host.host}] remove ${label}`);
        await host.cliOk(["rm", "-f", ...(plan.removeVolumes ? ["-v"] : []), id]);
        return "destroyed";
      },
    });
    for (const n of plan.extraNetworks) {
      this.log(`[${host.host}] connect ${label} to network ${n.name}`);
      await host.cliOk(networkConnectArgv(id, n));
    }
    for (const u of plan.uploads) {
      const tar = buildTar([{ path: u.file.replace(/^\/+/, ""), content: u.content!, mode: u.mode, uid: u.uid, gid: u.gid }]);
      this.log(`[${host.host}] upload ${u.file} (mode ${u.mode.toString(8)}, ${u.content!.length} bytes) into ${label}`);
      const owned = u.uid !== undefined || u.gid !== undefined;
      await host.cliOk(["cp", ...(owned ? ["-a"] : []), "-", `${id}:/`], { input: tar });
    }
    if (plan.start) {
      this.log(`[${host.host}] start ${label}`);
      await host.cliOk(["start", id]);
      if (plan.wait) await this.waitHealthy(host, id, label, plan.waitTimeout);
      if (plan.mustRun) {
        const info = await host.inspect("container", id);
        if (!info?.State?.Running) {
          throw new Error(`${label} is not running after start (exit code ${info?.State?.ExitCode}); last logs:\n${await this.logsTail(host, id)}`);
        }
      }
    }
    const info = await host.inspect("container", id);
    return {
      id,
      state: {
        ...inputs,
        name: String(info?.Name ?? "").replace(/^\//, ""),
        hostname: info?.Config?.Hostname,
        image: inputs.image,
        exitCode: info?.State?.Running ? undefined : info?.State?.ExitCode,
      },
    };
  }

  private async logsTail(host: DockerHost, id: string): Promise<string> {
    const r = await host.cli(["logs", "--tail", "20", id]);
    return tail(`${r.stdout}\n${r.stderr}`, 20);
  }

  private async waitHealthy(host: DockerHost, id: string, label: string, timeoutSec: number): Promise<void> {
    this.log(`[${host.host}] wait up to ${timeoutSec}s for ${label} to be healthy`);
    const deadline = Date.now() + timeoutSec * 1000;
    let last: any;
    for (;;) {
      last = await host.inspect("container", id);
      const state = last?.State;
      if (!state) throw new Error(`${label} disappeared while waiting for it to be healthy`);
      if (state.Health?.Status === "healthy") {
        this.log(`[${host.host}] ${label} is healthy`);
        return;
      }
      if (!state.Running) {
        throw new Error(`${label} exited (code ${state.ExitCode}) while waiting for it to be healthy; last logs:\n${await this.logsTail(host, id)}`);
      }
      if (Date.now() > deadline) break;
      await sleep(500);
    }
    const logs: any[] = last?.State?.Health?.Log ?? [];
    const l = logs[logs.length - 1];
    throw new Error(
      `${label} did not become healthy within ${timeoutSec}s (status ${last?.State?.Health?.Status ?? "none"})` +
        (l ? `; last health check: exit ${l.ExitCode}, output: ${tail(String(l.Output ?? ""), 10)}` : "; no health check ran"),
    );
  }

  // ---------------------------------------------------------------- commands

  private commandError(what: string, r: CommandResult): Error {
    const why = r.timedOut ? `timed out after ${this.commandTimeoutMs} ms` : `exited with code ${r.code}`;
    return new Error(`${what} ${why}; stderr:\n${tail(r.stderr, 20) || "(empty)"}`);
  }

  private async localCommand(args: pulumi.runtime.MockResourceArgs, inputs: Record<string, any>, secret: boolean) {
    checkKeys("local Command", inputs, [
      "create", "update", "delete", "environment", "stdin", "dir", "interpreter",
      "addPreviousOutputInEnv", "logging", "triggers", "assetPaths", "archivePaths",
    ]);
    for (const k of ["assetPaths", "archivePaths"]) {
      if (Array.isArray(inputs[k]) && inputs[k].length) throw new Error(`the live deployer does not support local Command input '${k}'`);
    }
    const interpreter: string[] = inputs.interpreter ?? ["/bin/sh", "-c"];
    const env = { ...process.env, ...(inputs.environment ?? {}) };
    const runIt = (script: string, extraEnv: Record<string, string> = {}) =>
      run(interpreter[0], [...interpreter.slice(1), script], {
        env: { ...env, ...extraEnv },
        cwd: inputs.dir,
        input: inputs.stdin,
        timeoutMs: this.commandTimeoutMs,
      });
    const show = (s: string) => (secret ? "[secret]" : JSON.stringify(s.length > 100 ? s.slice(0, 100) + "…" : s));
    let stdout = "";
    let stderr = "";
    if (inputs.create !== undefined) {
      this.log(`[local] command ${args.name}: create ${show(inputs.create)} env keys=[${Object.keys(inputs.environment ?? {}).join(",")}]`);
      const r = await runIt(String(inputs.create));
      if (r.code !== 0 || r.timedOut) throw this.commandError(`local command ${args.name}`, r);
      stdout = trimOutput(r.stdout);
      stderr = trimOutput(r.stderr);
    }
    const id = `${args.name}-${randomBytes(4).toString("hex")}`;
    const del = inputs.delete;
    this.record(args, id, { host: "local" }, del === undefined ? undefined : {
      label: `local command ${args.name} (delete)`,
      run: async () => {
        this.log(`[local] command ${args.name}: delete ${show(del)}`);
        const prev: Record<string, string> = inputs.addPreviousOutputInEnv === false ? {} : { PULUMI_COMMAND_STDOUT: stdout, PULUMI_COMMAND_STDERR: stderr };
        const r = await runIt(String(del), prev);
        if (r.code !== 0 || r.timedOut) throw this.commandError(`local command ${args.name} delete`, r);
        return "destroyed";
      },
    });
    return { id, state: { ...inputs, stdout, stderr } };
  }

  private async remoteCommand(args: pulumi.runtime.MockResourceArgs, inputs: Record<string, any>, secret: boolean) {
    checkKeys("remote Command", inputs, [
      "connection", "create", "update", "delete", "environment", "stdin", "addPreviousOutputInEnv", "logging", "triggers",
    ]);
    const c = inputs.connection ?? {};
    checkKeys("remote Command connection", c, [
      "host", "port", "user", "privateKey", "password", "privateKeyPassword", "agentSocketPath",
      "hostKey", "dialErrorLimit", "perDialTimeout", "proxy",
    ]);
    for (const k of ["password", "privateKeyPassword", "proxy", "hostKey"]) {
      if (c[k] !== undefined && c[k] !== "") throw new Error(`the live deployer does not support remote Command connection.${k}`);
    }
    if (!c.host) throw new Error("remote Command connection.host is required");
    const user = String(c.user ?? "root");
    const port = Number(c.port ?? 22);
    const where = `ssh ${user}@${c.host}:${port}`;
    let keyFile: string | undefined;
    if (c.privateKey) {
      keyFile = path.join(this.tmpDir(), "id");
      fs.writeFileSync(keyFile, String(c.privateKey).endsWith("\n") ? String(c.privateKey) : `${c.privateKey}\n`, { mode: 0o600 });
    }
    const sshEnv: NodeJS.ProcessEnv = { ...process.env };
    if (c.agentSocketPath) sshEnv.SSH_AUTH_SOCK = String(c.agentSocketPath);
    const attempts = c.dialErrorLimit === undefined ? 10 : Number(c.dialErrorLimit) < 0 ? 30 : Math.max(1, Math.min(30, Number(c.dialErrorLimit)));
    const sshArgv = (remote: string) => [
      "-p", String(port),
      "-o", "BatchMode=yes",
      "-o", "StrictHostKeyChecking=no",
      "-o", "UserKnownHostsFile=/dev/null",
      "-o", "LogLevel=ERROR",
      "-o", `ConnectTimeout=${Number(c.perDialTimeout ?? 15)}`,
      ...(keyFile ? ["-i", keyFile, "-o", "IdentitiesOnly=yes"] : []),
      "-l", user,
      String(c.host),
      "--",
      remote,
    ];
    // The provider uses ssh Setenv (needs AcceptEnv on the server); here the variables are exported in front
    // of the command string instead, single-quoted.
    const runRemote = async (script: string, env: Record<string, string>) => {
      const prefix = Object.entries(env)
        .map(([k, v]) => {
          if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new Error(`remote Command environment: invalid variable name ${k}`);
          return `export ${k}=${shQuote(String(v))}; `;
        })
        .join("");
      let r: CommandResult | undefined;
      for (let i = 1; i <= attempts; i++) {
        r = await run("ssh", sshArgv(prefix + script), { env: sshEnv, input: inputs.stdin, timeoutMs: this.commandTimeoutMs });
        const dialFailed = r.code === 255 && /connect to host|Connection (refused|reset|timed out|closed)|No route to host|timed out/i.test(r.stderr);
        if (!dialFailed || i === attempts) break;
        this.log(`[${where}] command ${args.name}: dial failed (attempt ${i}/${attempts}), retrying`);
        await sleep(1000);
      }
      return r!;
    };
    const show = (s: string) => (secret ? "[secret]" : JSON.stringify(s.length > 100 ? s.slice(0, 100) + "…" : s));
    const environment: Record<string, string> = inputs.environment ?? {};
    let stdout = "";
    let stderr = "";
    if (inputs.create !== undefined) {
      this.log(`[${where}] command ${args.name}: create ${show(String(inputs.create))} env keys=[${Object.keys(environment).join(",")}]`);
      const r = await runRemote(String(inputs.create), environment);
      if (r.code !== 0 || r.timedOut) throw this.commandError(`remote command ${args.name} (${where})`, r);
      stdout = trimOutput(r.stdout);
      stderr = trimOutput(r.stderr);
    }
    const id = `${args.name}-${randomBytes(4).toString("hex")}`;
    const del = inputs.delete;
    this.record(args, id, { host: where }, del === undefined ? undefined : {
      label: `remote command ${args.name} (delete)`,
      run: async () => {
        this.log(`[${where}] command ${args.name}: delete ${show(String(del))}`);
        const prev: Record<string, string> = inputs.addPreviousOutputInEnv === false ? {} : { PULUMI_COMMAND_STDOUT: stdout, PULUMI_COMMAND_STDERR: stderr };
        const r = await runRemote(String(del), { ...environment, ...prev });
        if (r.code !== 0 || r.timedOut) throw this.commandError(`remote command ${args.name} delete (${where})`, r);
        return "destroyed";
      },
    });
    return { id, state: { ...inputs, stdout, stderr } };
  }

  // ---------------------------------------------------------------- destroy

  /**
   * Destroys everything created (all deployments so far), in reverse creation order. Things already gone are
   * reported, not errors. Throws a DestroyError listing what really failed (those records stay, so a second
   * destroy() retries them). Idempotent.
   */
  async destroy(): Promise<DestroyReport> {
    if (this.deploying) throw new Error("LiveDeployer.destroy: a deployment is running");
    const report: DestroyReport = { destroyed: [], alreadyGone: [] };
    const failures: ResourceFailure[] = [];
    for (const rec of [...this.created].reverse()) {
      if (rec.destroyed) continue;
      const undo = this.undos.get(rec);
      if (!undo) {
        rec.destroyed = true;
        continue;
      }
      // Keep a provider (its ssh wrapper / TLS files) while something on its host could not be removed.
      if (rec.type === "pulumi:providers:docker" && failures.length > 0) continue;
      try {
        const outcome = await undo.run();
        rec.destroyed = true;
        if (outcome === "gone") {
          this.log(`${undo.label}: already gone`);
          report.alreadyGone.push(`${rec.type} ${rec.name}`);
        } else report.destroyed.push(`${rec.type} ${rec.name}`);
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        if (isNotFound(message)) {
          rec.destroyed = true;
          report.alreadyGone.push(`${rec.type} ${rec.name}`);
          continue;
        }
        this.log(`FAILED to destroy ${undo.label}: ${message.split("\n")[0]}`);
        failures.push({ type: rec.type, name: rec.name, message });
      }
    }
    // What was destroyed is no longer in state: deploying again creates it anew.
    for (const stack of new Set(this.created.map((r) => r.stack))) {
      if (this.created.every((r) => r.stack !== stack || r.destroyed)) {
        for (const key of [...this.performed.keys()]) if (key.startsWith(`${stack}::`)) this.performed.delete(key);
      }
    }
    if (failures.length) throw new DestroyError(failures, report);
    for (const d of this.tmpDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
    return report;
  }
}

/** JSON with object keys sorted, so equal inputs compare equal as text. */
function canonicalJson(v: unknown): string {
  const sort = (x: any): any => Array.isArray(x) ? x.map(sort) :
    x && typeof x === "object" ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, sort(x[k])])) : x;
  return JSON.stringify(sort(v));
}

/** Top-level input keys whose values differ. */
function changedKeys(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k])).sort();
}
