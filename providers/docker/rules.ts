/** Diff rules of the docker types the component uses (see ../rules.ts for what each rule means). */
import { all, TypeRule } from "../rules";

/** pulumi-docker 5.x bridges kreuzwerker/terraform-provider-docker v4.5.0. */
const TF_DOCKER = "https://github.com/kreuzwerker/terraform-provider-docker/blob/v4.5.0/internal/provider";

/** @pulumi/docker Container = kreuzwerker docker_container. */
export const containerRule: TypeRule = {
  source: `${TF_DOCKER}/resource_docker_container.go (schema: ForceNew on all but the keys below), ` +
    `${TF_DOCKER}/resource_docker_container_funcs.go#L991-L1077 (resourceDockerContainerUpdate: one ContainerUpdate ` +
    "for restart policy and resources; ContainerStart when must_run turns true); DeleteBeforeReplace: " +
    "https://github.com/pulumi/pulumi-docker/blob/master/provider/resources.go#L112 (docker_container only)",
  deleteBeforeReplace: true,
  keys: {
    ...all("replace", [
      "name", "image", "envs", "command", "entrypoints", "user", "workingDir", "hostname", "domainname", "labels",
      "stopSignal", "stopTimeout", "ports", "publishAllPorts", "networkMode", "networksAdvanced", "volumes", "dns",
      "dnsOpts", "dnsSearches", "hosts", "logDriver", "logOpts", "privileged", "readOnly", "capabilities", "sysctls", "cpus",
      "ulimits", "ipcMode", "pidMode", "shmSize", "securityOpts", "tty", "stdinOpen", "uploads",
    ]),
    ...all("update", ["restart", "maxRetryCount", "cpuShares", "cpuSet", "memory", "memorySwap", "mustRun"]),
    // Optional, not ForceNew, and never read by Update: only the state changes.
    ...all("state", [
      "healthcheck", "tmpfs", "init", "wait", "waitTimeout", "rm", "start", "destroyGraceSeconds", "attach", "logs",
      "removeVolumes",
    ]),
  },
  sets: ["envs", "labels", "volumes", "uploads", "dns", "dnsOpts", "dnsSearches", "capabilities", "securityOpts", "hosts", "ulimits", "networksAdvanced"],
};

export const volumeRule: TypeRule = {
  source: `${TF_DOCKER}/resource_docker_volume.go#L41 (every attribute ForceNew, no Update)`,
  deleteBeforeReplace: false,
  keys: all("replace", ["name", "driver", "driverOpts", "labels"]),
  sets: ["labels"],
};

export const remoteImageRule: TypeRule = {
  source: `${TF_DOCKER}/resource_docker_image.go#L36 (name, pull_triggers, triggers ForceNew; keep_locally, force_remove state only)`,
  deleteBeforeReplace: false,
  keys: { ...all("replace", ["name", "pullTriggers", "triggers"]), ...all("state", ["keepLocally", "forceRemove"]) },
  sets: ["pullTriggers"],
};

/**
 * Provider configuration: the bridge's DiffConfig asks for replacement only for fields marked
 * ForcesProviderReplace, and pulumi-docker marks none (https://github.com/pulumi/pulumi-terraform-bridge/blob/
 * master/pkg/tfbridge/provider.go#L855): a changed host, ssh options or TLS material is an update that keeps the
 * provider's id, so nothing on it is replaced.
 */
export const dockerProviderRule: TypeRule = {
  source: "https://github.com/pulumi/pulumi-terraform-bridge/blob/master/pkg/tfbridge/provider.go#L855 (DiffConfig)",
  deleteBeforeReplace: false,
  keys: all("update", [
    "host", "sshOpts", "caMaterial", "certMaterial", "keyMaterial", "certPath", "registryAuth", "disableDockerDaemonCheck",
    "version", "pluginDownloadURL",
  ]),
};
