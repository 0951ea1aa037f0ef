/**
 * The inputs of the command plugin's resources and of `command:local:run`, checked as pulumi-command v1.2.1 checks
 * them (pulumi-go-provider v1.3.0 infer: DefaultCheck decodes the inputs into the Go struct, failing on an
 * unrecognized field or a wrong type, applies the `SetDefault`s, and marks the `provider:"secret"` fields secret).
 * Fields of the real schema that the etcd component never sets are refused as not modelled.
 *
 * Schema: provider/pkg/provider/common/inputs.go (triggers, create, update, delete), local/base.go (stdin, logging,
 * interpreter, dir, environment, assetPaths, archivePaths, addPreviousOutputInEnv), local/run.go (command),
 * remote/command.go (stdin, logging, connection, environment, addPreviousOutputInEnv) and remote/connection.go.
 */
import { NotModelled } from "../refuse";
import { all, TypeRule } from "../rules";
import { containsUnknown, Props, secretValue, unwrapSecrets } from "../values";

export const LOCAL = "command:local:Command";
export const REMOTE = "command:remote:Command";
export const RUN = "command:local:run";

export interface CheckFailure {
  property: string;
  reason: string;
}

type Kind = "string" | "boolean" | "integer" | "number" | "strings" | "stringMap" | "array" | "logging" | "object";

const RESOURCE: Record<string, Kind> = { triggers: "array", create: "string", update: "string", delete: "string" };
const LOCAL_BASE: Record<string, Kind> = {
  stdin: "string", logging: "logging", interpreter: "strings", dir: "string", environment: "stringMap",
  assetPaths: "strings", archivePaths: "strings", addPreviousOutputInEnv: "boolean",
};
const REMOTE_FIELDS: Record<string, Kind> = {
  stdin: "string", logging: "logging", connection: "object", environment: "stringMap", addPreviousOutputInEnv: "boolean",
};
const CONNECTION: Record<string, Kind> = {
  user: "string", password: "string", host: "string", port: "number", privateKey: "string", privateKeyPassword: "string",
  agentSocketPath: "string", dialErrorLimit: "integer", perDialTimeout: "integer", hostKey: "string", proxy: "object",
};

/** The real schema of each token, and what of it the plugin refuses (the component does not use it). */
export const SCHEMA: Record<string, { fields: Record<string, Kind>; required: string[]; refused: string[] }> = {
  [LOCAL]: { fields: { ...RESOURCE, ...LOCAL_BASE }, required: [], refused: ["assetPaths", "archivePaths"] },
  // `environment` goes by ssh Setenv, which fails the command where sshd has no AcceptEnv for it.
  [REMOTE]: { fields: { ...RESOURCE, ...REMOTE_FIELDS }, required: ["connection"], refused: ["environment"] },
  [RUN]: { fields: { ...LOCAL_BASE, command: "string" }, required: ["command"], refused: ["assetPaths", "archivePaths"] },
};
/** Password and keyboard-interactive login, encrypted keys, an agent path of its own, host key checks, a bastion. */
const CONNECTION_REFUSED = ["password", "privateKeyPassword", "agentSocketPath", "hostKey", "proxy"];
/** connection.go, Annotate: SetDefault of user, port, dialErrorLimit and perDialTimeout. */
export const CONNECTION_DEFAULTS = { user: "root", port: 22, dialErrorLimit: 10, perDialTimeout: 15 };

const LOGGING = ["stdout", "stderr", "stdoutAndStderr", "none"];

function typeProblem(kind: Kind, v: unknown): string | undefined {
  const ok: Record<Kind, (x: any) => boolean> = {
    string: (x) => typeof x === "string",
    boolean: (x) => typeof x === "boolean",
    number: (x) => typeof x === "number",
    integer: (x) => Number.isInteger(x),
    strings: (x) => Array.isArray(x) && x.every((e) => typeof e === "string"),
    stringMap: (x) => !!x && typeof x === "object" && !Array.isArray(x) && Object.values(x).every((e) => typeof e === "string"),
    array: (x) => Array.isArray(x),
    object: (x) => !!x && typeof x === "object" && !Array.isArray(x),
    logging: (x) => LOGGING.includes(x),
  };
  if (ok[kind](v)) return undefined;
  return kind === "logging" ? `must be one of ${LOGGING.join(", ")}` : `must be of type ${kind === "strings" ? "list of strings" :
    kind === "stringMap" ? "map of strings" : kind}`;
}

/** Failures for unknown fields, wrong types and missing required fields; throws NotModelled for refused ones. */
function checkFields(what: string, prefix: string, values: Props, fields: Record<string, Kind>, required: string[], refused: string[]): CheckFailure[] {
  const failures: CheckFailure[] = [];
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined || v === null || k.startsWith("__")) continue;
    if (!(k in fields)) {
      failures.push({ property: prefix + k, reason: `unrecognized field '${k}'` });
      continue;
    }
    if (refused.includes(k)) throw new NotModelled(`the command provider plugin does not model ${what} input '${prefix}${k}'`);
    if (containsUnknown(v)) continue;
    const problem = typeProblem(fields[k], v);
    if (problem) failures.push({ property: prefix + k, reason: `'${prefix}${k}' ${problem}` });
  }
  for (const k of required) {
    if (values[k] === undefined || values[k] === null) failures.push({ property: prefix + k, reason: `missing required field '${prefix}${k}'` });
  }
  return failures;
}

/**
 * Checks `news` for `token` (a resource type or RUN). Returns the inputs as the engine stores them: for a remote
 * Command the connection with its defaults filled in and marked secret as a whole (connection.go tags it
 * `provider:"secret"`); secrets elsewhere stay where they were.
 */
export function checkInputs(token: string, news: Props): { inputs: Props; failures: CheckFailure[] } {
  const schema = SCHEMA[token];
  if (!schema) throw new NotModelled(`the command provider plugin does not model '${token}'`);
  const plain = unwrapSecrets(news).value as Props;
  const failures = checkFields(token, "", plain, schema.fields, schema.required, schema.refused);
  if (token !== REMOTE || plain.connection === undefined || containsUnknown(plain.connection) || typeProblem("object", plain.connection)) {
    return { inputs: news, failures };
  }
  const connection = plain.connection as Props;
  failures.push(...checkFields(`${token} connection`, "connection.", connection, CONNECTION, ["host"], CONNECTION_REFUSED));
  const withDefaults: Props = { ...connection };
  for (const [k, v] of Object.entries(CONNECTION_DEFAULTS)) if (withDefaults[k] === undefined || withDefaults[k] === null) withDefaults[k] = v;
  return { inputs: { ...news, connection: secretValue(withDefaults) }, failures };
}

/**
 * What a change does: a changed `triggers` replaces (common/inputs.go tags it `provider:"replaceOnChanges"`, and
 * infer's Diff turns that key's change into a replace); any other change is an update, which runs `update` or
 * `create` again (commandController.go, Update). infer leaves DeleteBeforeReplace unset.
 */
export function commandRule(token: typeof LOCAL | typeof REMOTE): TypeRule {
  const keys = Object.keys(SCHEMA[token].fields).filter((k) => k !== "triggers" && !SCHEMA[token].refused.includes(k));
  return {
    source: "pulumi/pulumi-command v1.2.1 provider/pkg/provider/common/inputs.go (triggers replaceOnChanges) and " +
      "pulumi-go-provider v1.3.0 infer/resource.go (Diff: a CustomUpdate resource replaces only on replaceOnChanges keys)",
    deleteBeforeReplace: false,
    keys: { ...all("update", keys), triggers: "replace" },
  };
}
