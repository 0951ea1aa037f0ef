/**
 * The `command` provider plugin, version 1.2.1 (what @pulumi/command 1.2.1 asks the engine for): the resources
 * `command:local:Command` and `command:remote:Command` and the function `command:local:run`, with
 * pulumi-command v1.2.1's semantics (lifecycle.ts, schema.ts). The server (../server.ts) says it supports no
 * preview, so the engine never calls Create or Update in a preview and nothing runs then, as the real provider
 * runs nothing in one; Invoke is called in a preview too, and `run` runs then, as the real one does. Read is the
 * real provider's (infer's default): the state as it is, since a command cannot be read back.
 */
import { randomBytes } from "node:crypto";
import { checkKeys, NotModelled } from "../refuse";
import { all } from "../rules";
import { Log, ProviderPlugin, ResourceHandler } from "../plugin";
import { serve } from "../server";
import { containsUnknown, keepSecrets, Props, unwrapSecrets } from "../values";
import { lifecycle, runFunction, Runner } from "./lifecycle";
import { runLocal } from "./local";
import { Connection, runRemote } from "./remote";
import { checkInputs, CheckFailure, commandRule, CONNECTION_DEFAULTS, LOCAL, REMOTE, RUN } from "./schema";

export const COMMAND_VERSION = "1.2.1";

function refuseFailures(what: string, failures: CheckFailure[]): void {
  if (failures.length) throw new Error(`${what}: ${failures.map((f) => f.reason).join("; ")}`);
}

const localRunner: Runner = (inputs, command, env) => runLocal(command, inputs, env);

function remoteRunner(log: Log): Runner {
  return (inputs, command, env) => {
    const c = { ...CONNECTION_DEFAULTS, ...inputs.connection } as Connection;
    return runRemote(c, command, inputs.stdin, env, (line) => log(`[${c.user}@${c.host}:${c.port}] ${line}`));
  };
}

/**
 * resource.NewUniqueHex(name, 8, 0) in commandController.go, Create: the resource's name and 8 random hex digits.
 * The name is the last part of the URN.
 */
export function commandId(urn: string | undefined): string {
  const name = urn ? urn.slice(urn.lastIndexOf("::") + 2) : "";
  return name + randomBytes(4).toString("hex");
}

function handler(token: typeof LOCAL | typeof REMOTE): ResourceHandler {
  const steps = (log: Log) => lifecycle(token === LOCAL ? localRunner : remoteRunner(log));
  const computed = (outputs: Props) => ({ stdout: outputs.stdout, stderr: outputs.stderr });
  return {
    rule: commandRule(token),
    // The connection's defaults, and the connection secret as a whole (schema.ts, checkInputs).
    fill: (inputs) => checkInputs(token, inputs).inputs,
    validate: (inputs) => refuseFailures(token, checkInputs(token, inputs).failures),
    async create(inputs, log, urn) {
      return { id: commandId(urn), computed: computed(await steps(log).create(inputs, false)) };
    },
    async update(_id, _oldInputs, news, _changed, log, oldOutputs) {
      return computed(await steps(log).update(oldOutputs ?? {}, news, false));
    },
    async delete(_id, inputs, outputs, log) {
      await steps(log).delete({ ...inputs, stdout: outputs.stdout, stderr: outputs.stderr });
    },
  };
}

/**
 * `command:local:run`. The real provider checks the arguments as a resource's inputs (infer/function.go, Invoke:
 * decode, then defaults) and returns them echoed, secrets where they were, with stdout and stderr.
 */
async function run(args: Props): Promise<Props> {
  if (containsUnknown(args)) throw new NotModelled("command:local:run with unknown arguments (the SDK does not send those)");
  const { inputs, failures } = checkInputs(RUN, args);
  refuseFailures(RUN, failures);
  return keepSecrets(await runFunction(localRunner, unwrapSecrets(inputs).value), inputs);
}

export function commandPlugin(): ProviderPlugin {
  return {
    name: "command",
    version: COMMAND_VERSION,
    // The provider has no configuration of its own (provider.go: infer.Provider without Config).
    configRule: { source: "pulumi-command v1.2.1 provider/pkg/provider/provider.go (no configuration)", deleteBeforeReplace: false, keys: all("update", ["version", "pluginDownloadURL"]) },
    validateConfig: (config) => checkKeys("command Provider", config, ["version", "pluginDownloadURL"]),
    async configure() {},
    resources: { [LOCAL]: handler(LOCAL), [REMOTE]: handler(REMOTE) },
    functions: { [RUN]: run },
  };
}

if (require.main === module) {
  serve(commandPlugin(), process.argv.slice(2)).catch((e) => {
    process.stderr.write(`command provider plugin: ${e?.stack ?? e}\n`);
    process.exit(1);
  });
}
