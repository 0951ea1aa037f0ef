/**
 * Diff rules: for each resource type the stand-in performs, what a change of each input makes the real provider
 * do. Every input key of a type is classified; a changed key that is not is an error ("the stand-in cannot
 * diff"), never silently "same".
 *
 * - "replace": the provider's diff asks for replacement (Terraform `ForceNew` / `RequiresReplace`).
 * - "update": the provider changes the real object in place (its Update function acts on that key).
 * - "state": shown as an update, but the provider's Update makes no call for it: only the state changes, and
 *   the real object keeps the old value (drift that `pulumi refresh` would not even show for most of them).
 */
import { canonicalJson } from "./values";

export type KeyRule = "replace" | "update" | "state";

export interface TypeRule {
  /** Where the rule comes from. */
  source: string;
  keys: Record<string, KeyRule>;
  /** Replacement deletes the old object first unless the program says otherwise. */
  deleteBeforeReplace: boolean;
}

const all = (rule: KeyRule, keys: string[]): Record<string, KeyRule> => Object.fromEntries(keys.map((k) => [k, rule]));

/** pulumi-docker 5.x bridges kreuzwerker/terraform-provider-docker v4.5.0. */
const TF_DOCKER = "https://github.com/kreuzwerker/terraform-provider-docker/blob/v4.5.0/internal/provider";

/** @pulumi/docker Container = kreuzwerker docker_container. */
const container: TypeRule = {
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
};

const volume: TypeRule = {
  source: `${TF_DOCKER}/resource_docker_volume.go#L41 (every attribute ForceNew, no Update)`,
  deleteBeforeReplace: false,
  keys: all("replace", ["name", "driver", "driverOpts", "labels"]),
};

const network: TypeRule = {
  source: `${TF_DOCKER}/resource_docker_network.go (every attribute ForceNew)`,
  deleteBeforeReplace: false,
  keys: all("replace", ["name", "driver", "internal", "attachable", "labels", "options", "ipamConfigs", "ipamDriver", "ipv6"]),
};

const remoteImage: TypeRule = {
  source: `${TF_DOCKER}/resource_docker_image.go#L36 (name, pull_triggers, triggers ForceNew; keep_locally, force_remove state only)`,
  deleteBeforeReplace: false,
  keys: { ...all("replace", ["name", "pullTriggers", "triggers"]), ...all("state", ["keepLocally", "forceRemove"]) },
};

/**
 * Provider configuration: the bridge's DiffConfig asks for replacement only for fields marked
 * ForcesProviderReplace, and pulumi-docker marks none (https://github.com/pulumi/pulumi-terraform-bridge/blob/
 * master/pkg/tfbridge/provider.go#L855): a changed host, ssh options or TLS material is an update that keeps the
 * provider's id, so nothing on it is replaced.
 */
const dockerProvider: TypeRule = {
  source: "https://github.com/pulumi/pulumi-terraform-bridge/blob/master/pkg/tfbridge/provider.go#L855 (DiffConfig)",
  deleteBeforeReplace: false,
  keys: all("update", [
    "host", "sshOpts", "caMaterial", "certMaterial", "keyMaterial", "certPath", "registryAuth", "disableDockerDaemonCheck",
  ]),
};

const COMMAND_KEYS = ["create", "update", "delete", "environment", "stdin", "addPreviousOutputInEnv", "logging"];
const commandSource = "https://github.com/pulumi/pulumi-command/blob/master/provider/pkg/provider/common/inputs.go#L10 " +
  "(triggers: replaceOnChanges) and provider/pkg/provider/{local,remote}/commandController.go (Update re-runs)";

const localCommand: TypeRule = {
  source: commandSource,
  deleteBeforeReplace: false,
  keys: { triggers: "replace", ...all("update", [...COMMAND_KEYS, "dir", "interpreter", "assetPaths", "archivePaths"]) },
};

const remoteCommand: TypeRule = {
  source: commandSource,
  deleteBeforeReplace: false,
  keys: { triggers: "replace", ...all("update", [...COMMAND_KEYS, "connection"]) },
};

const RANDOM = "https://github.com/hashicorp/terraform-provider-random/blob/v3.9.0/internal/provider " +
  "(resource_id.go, resource_string.go, resource_password.go, resource_uuid.go: every argument RequiresReplace)";
const random = (keys: string[]): TypeRule => ({ source: RANDOM, deleteBeforeReplace: false, keys: all("replace", keys) });
const RANDOM_STRING_KEYS = [
  "length", "keepers", "special", "upper", "lower", "numeric", "number", "minUpper", "minLower", "minNumeric",
  "minSpecial", "overrideSpecial",
];

const TLS = "https://github.com/hashicorp/terraform-provider-tls/blob/v4.2.1/internal/provider (RequiresReplace on every " +
  "argument but early_renewal_hours, which only changes state)";
const tls = (keys: string[]): TypeRule => ({
  source: TLS,
  deleteBeforeReplace: false,
  keys: { ...all("replace", keys), earlyRenewalHours: "state" },
});
const CERT_KEYS = ["validityPeriodHours", "allowedUses", "isCaCertificate", "setSubjectKeyId", "setAuthorityKeyId"];

export const TYPE_RULES: Record<string, TypeRule> = {
  "pulumi:providers:docker": dockerProvider,
  "docker:index/container:Container": container,
  "docker:index/volume:Volume": volume,
  "docker:index/network:Network": network,
  "docker:index/remoteImage:RemoteImage": remoteImage,
  "command:local:Command": localCommand,
  "command:remote:Command": remoteCommand,
  "random:index/randomId:RandomId": random(["byteLength", "prefix", "keepers"]),
  "random:index/randomUuid:RandomUuid": random(["keepers"]),
  "random:index/randomString:RandomString": random(RANDOM_STRING_KEYS),
  "random:index/randomPassword:RandomPassword": random(RANDOM_STRING_KEYS),
  "pulumi:providers:tls": { source: "not modelled: any change is refused", deleteBeforeReplace: false, keys: {} },
  "tls:index/privateKey:PrivateKey": tls(["algorithm", "rsaBits", "ecdsaCurve"]),
  "tls:index/selfSignedCert:SelfSignedCert": tls([
    "privateKeyPem", "subject", "dnsNames", "ipAddresses", "uris", ...CERT_KEYS,
  ]),
  "tls:index/certRequest:CertRequest": tls(["privateKeyPem", "subject", "dnsNames", "ipAddresses", "uris"]),
  "tls:index/locallySignedCert:LocallySignedCert": tls(["certRequestPem", "caPrivateKeyPem", "caCertPem", ...CERT_KEYS]),
};

export interface Diff {
  kind: "same" | "update" | "replace";
  /** Every input whose value changed. */
  changed: string[];
  /** The changed inputs that force replacement. */
  replaceKeys: string[];
  deleteBeforeReplace: boolean;
}

/** Top-level input keys whose values differ (values compared without secret wrappers, object key order ignored). */
export function changedKeys(olds: Record<string, any>, news: Record<string, any>): string[] {
  const keys = new Set([...Object.keys(olds), ...Object.keys(news)]);
  return [...keys].filter((k) => !k.startsWith("__") && canonicalJson(olds[k]) !== canonicalJson(news[k])).sort();
}

export function ruleFor(type: string): TypeRule {
  const rule = TYPE_RULES[type];
  if (!rule) throw new Error(`the stand-in engine has no diff rule for resource type ${type}`);
  return rule;
}

/**
 * The provider's diff of one resource, plus the program's `replaceOnChanges` (a key listed there replaces
 * whatever the provider says: pulumi/pulumi `pkg/resource/deploy/step_generator.go`, applyReplaceOnChanges)
 * and `deleteBeforeReplace` (overrides the provider's default when set).
 */
export function diffInputs(
  type: string,
  olds: Record<string, any>,
  news: Record<string, any>,
  opts: { replaceOnChanges?: string[]; deleteBeforeReplace?: boolean } = {},
): Diff {
  const rule = ruleFor(type);
  const changed = changedKeys(olds, news);
  const unknown = changed.filter((k) => rule.keys[k] === undefined);
  if (unknown.length) {
    throw new Error(`the stand-in engine cannot diff ${type} input${unknown.length > 1 ? "s" : ""} ` +
      `${unknown.map((k) => `'${k}'`).join(", ")} (no rule for ${unknown.length > 1 ? "them" : "it"}; rules follow ${rule.source})`);
  }
  const forced = (opts.replaceOnChanges ?? []).map((p) => p.replace(/[.[].*$/, ""));
  const replaceKeys = changed.filter((k) => rule.keys[k] === "replace" || forced.includes("*") || forced.includes(k));
  const kind = changed.length === 0 ? "same" : replaceKeys.length ? "replace" : "update";
  return { kind, changed, replaceKeys, deleteBeforeReplace: opts.deleteBeforeReplace ?? rule.deleteBeforeReplace };
}

/** Would a change of `key` (its new value unknown) make the provider replace a `type`? */
export function replacesOnChange(type: string, key: string): boolean {
  const rule = TYPE_RULES[type];
  return rule !== undefined && rule.keys[key] === "replace";
}
