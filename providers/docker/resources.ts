/**
 * The docker resource types the component uses, as handlers of the docker plugin: Container, Volume and
 * RemoteImage (kreuzwerker/terraform-provider-docker v4.5.0, bridged by pulumi-docker 5.2.0). Networks, images
 * built or pulled, registries and every other type are not modelled: the server refuses them by type.
 */
import { ResourceHandler } from "../plugin";
import { checkKeys, NotModelled } from "../refuse";
import { containsUnknown, isSecret, Props } from "../values";
import { Engine } from "./config";
import { createContainer, deleteContainer, readContainer, updateContainer } from "./container";
import { planContainer } from "./containerArgs";
import { containerRule, remoteImageRule, volumeRule } from "./rules";

/** A label list (the provider's `labels` set) from Docker's label map, sorted by label. */
const labelSet = (labels: Record<string, string> | null | undefined) =>
  Object.keys(labels ?? {}).sort().map((label) => ({ label, value: labels![label] }));

export function container(engine: Engine): ResourceHandler {
  return {
    rule: containerRule,
    // The schema's Defaults (resource_docker_container.go): the bridge's Check returns them as inputs.
    defaults: { start: true, wait: false, waitTimeout: 60, attach: false, logs: false, mustRun: true, restart: "no", removeVolumes: true, rm: false },
    // A port's ip and protocol default to 0.0.0.0 and tcp in the schema (the `ports` block), and a read gives them.
    fill(inputs: Props) {
      if (!Array.isArray(inputs.ports) || containsUnknown(inputs.ports)) return inputs;
      const ports = inputs.ports.map((p: any) => (p && typeof p === "object" && !isSecret(p) ? { ip: "0.0.0.0", protocol: "tcp", ...p } : p));
      return { ...inputs, ports };
    },
    validate: (inputs) => void planContainer(inputs),
    async create(inputs, log) {
      const host = await engine.get();
      const id = await createContainer(host, inputs, log);
      const info = await host.inspect("container", id);
      return { id, computed: info ? readContainer(info, inputs).computed : {} };
    },
    async read(id, inputs) {
      const info = await (await engine.get()).inspect("container", id);
      return info ? readContainer(info, inputs) : undefined;
    },
    async update(id, _olds, news, changed, log) {
      await updateContainer(await engine.get(), id, news, changed, log);
      return {};
    },
    async delete(id, inputs, _outputs, log) {
      await deleteContainer(await engine.get(), id, inputs, log);
    },
  };
}

/**
 * Volume: `docker volume create` of a named volume with labels (what the component makes). Docker's VolumeCreate
 * returns an existing volume of that name as it is, and so does the provider: its data and old labels stay, which
 * is how a retained data volume is found again. Read (resourceDockerVolumeRead) takes name, labels, driver,
 * driverOpts and mountpoint from the volume; a volume that is gone leaves the state.
 */
export function volume(engine: Engine): ResourceHandler {
  return {
    rule: volumeRule,
    validate(inputs) {
      checkKeys("Volume", inputs, ["name", "labels"]);
      if (typeof inputs.name !== "string" || !inputs.name) throw new NotModelled("the provider plugin models named volumes only: set Volume input 'name'");
      for (const l of inputs.labels ?? []) checkKeys("Volume labels[]", l, ["label", "value"]);
    },
    async create(inputs, log) {
      const host = await engine.get();
      const argv = ["volume", "create"];
      for (const l of (inputs.labels ?? []) as any[]) argv.push("--label", `${l.label}=${l.value}`);
      log(`[${host.host}] create volume ${inputs.name}`);
      const name = await host.cliOk([...argv, String(inputs.name)]);
      const info = await host.inspect("volume", name);
      return { id: name, computed: { driver: info?.Driver, driverOpts: info?.Options ?? {}, mountpoint: info?.Mountpoint } };
    },
    async read(id) {
      const info = await (await engine.get()).inspect("volume", id);
      if (!info) return undefined;
      return {
        inputs: { name: info.Name, labels: labelSet(info.Labels) },
        computed: { driver: info.Driver, driverOpts: info.Options ?? {}, mountpoint: info.Mountpoint },
      };
    },
    async delete(id, _inputs, _outputs, log) {
      // A volume still in use is retried for 30 s before the delete fails, as the provider does
      // (resource_docker_volume.go, resourceDockerVolumeDelete's retry); a volume already gone is no error.
      const host = await engine.get();
      if (!(await host.inspect("volume", id))) return;
      log(`[${host.host}] remove volume ${id}`);
      const deadline = Date.now() + 30_000;
      for (;;) {
        const r = await host.cli(["volume", "rm", id]);
        if (r.code === 0 || !(await host.inspect("volume", id))) return;
        if (!/in use/i.test(r.stderr) || Date.now() > deadline) throw new Error(`docker -H ${host.host} volume rm ${id} failed: ${r.stderr.trim()}`);
        await new Promise((res) => setTimeout(res, 1000));
      }
    },
  };
}

/**
 * RemoteImage: the image must already be on the host (the plugin never pulls: registries are not modelled), and
 * with keepLocally it is never removed, the only way the component uses it. The id is the image id followed by
 * the name, outputs `imageId` and `repoDigest` (resource_docker_image_funcs.go, resourceDockerImageRead); an image
 * that is gone leaves the state on a refresh.
 */
export function remoteImage(engine: Engine): ResourceHandler {
  const inspect = async (name: string) => {
    const host = await engine.get();
    return { host, info: await host.inspect("image", name) };
  };
  const computed = (info: any) => ({ imageId: info.Id, repoDigest: (info.RepoDigests ?? [])[0] ?? "" });
  return {
    rule: remoteImageRule,
    validate(inputs) {
      checkKeys("RemoteImage", inputs, ["name", "keepLocally"]);
      if (typeof inputs.name !== "string" || !inputs.name) throw new Error("RemoteImage input 'name' is required");
      if (inputs.keepLocally !== true) {
        throw new NotModelled("the provider plugin models RemoteImage with keepLocally: true only (it never removes an image)");
      }
    },
    async create(inputs) {
      const name = String(inputs.name);
      const { host, info } = await inspect(name);
      if (!info) throw new NotModelled(`image ${name} is not on docker host ${host.host}, and the provider plugin never pulls: load it there`);
      return { id: `${info.Id}${name}`, computed: computed(info) };
    },
    async read(_id, inputs) {
      const name = String(inputs.name);
      const { info } = await inspect(name);
      return info ? { id: `${info.Id}${name}`, computed: computed(info) } : undefined;
    },
  };
}
