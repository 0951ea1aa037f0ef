/**
 * What create, update, delete and the `run` function do, as pulumi-command v1.2.1 does it
 * (provider/pkg/provider/{local,remote}/commandController.go, local/runController.go), over plain values (secret
 * wrappers are the plugin's business, see plugin.ts):
 * - create runs `create` (nothing without one); the outputs are the inputs echoed plus stdout and stderr, "" when
 *   nothing ran. A failed create returns only the error, so the engine saves no state.
 * - update starts from the new inputs and the OLD stdout/stderr (`CommandOutputs{CommandInputs: news,
 *   BaseOutputs: olds.BaseOutputs}`), runs `update` if set, else `create`, else nothing (the old outputs stay).
 *   A failed update returns only the error: the engine keeps the old state.
 * - delete runs the state's `delete` with the state's inputs (environment, dir, connection) and outputs.
 * - with addPreviousOutputInEnv unset or true, the previous stdout and stderr, when not empty, are in the command's
 *   environment as PULUMI_COMMAND_STDOUT and PULUMI_COMMAND_STDERR, after `environment` (commandOutputs.go, run).
 * - `run` runs `command` and echoes its arguments plus stdout and stderr; it has no previous output.
 * Preview: Create and Update return the state without running anything (`if preview { return ... }`).
 */
import { Props } from "../values";
import { outputsOf, Ran } from "./outcome";

export interface Outputs {
  stdout: string;
  stderr: string;
}

/** Runs `command` for a resource or function with these (plain) inputs, `extraEnv` added last. */
export type Runner = (inputs: Props, command: string, extraEnv: Record<string, string>) => Promise<Ran>;

/** The environment a command gets from the previous outputs (util.go PulumiCommandStdout/Stderr). */
export function previousEnv(inputs: Props, previous: Partial<Outputs>): Record<string, string> {
  if (inputs.addPreviousOutputInEnv === false) return {};
  const env: Record<string, string> = {};
  if (previous.stdout) env.PULUMI_COMMAND_STDOUT = previous.stdout;
  if (previous.stderr) env.PULUMI_COMMAND_STDERR = previous.stderr;
  return env;
}

const echo = (inputs: Props): Props =>
  Object.fromEntries(Object.entries(inputs).filter(([k, v]) => v !== undefined && v !== null && !k.startsWith("__")));

export interface Lifecycle {
  create(inputs: Props, preview: boolean): Promise<Props>;
  update(state: Props, news: Props, preview: boolean): Promise<Props>;
  delete(state: Props): Promise<void>;
}

export function lifecycle(run: Runner): Lifecycle {
  const exec = async (inputs: Props, command: string, previous: Partial<Outputs>): Promise<Outputs> =>
    outputsOf(command, await run(inputs, command, previousEnv(inputs, previous)));
  return {
    async create(inputs, preview) {
      const empty: Outputs = { stdout: "", stderr: "" };
      if (preview || typeof inputs.create !== "string") return { ...echo(inputs), ...empty };
      return { ...echo(inputs), ...(await exec(inputs, inputs.create, empty)) };
    },
    async update(state, news, preview) {
      const old: Outputs = { stdout: String(state.stdout ?? ""), stderr: String(state.stderr ?? "") };
      const command = typeof news.update === "string" ? news.update : news.create;
      if (preview || typeof command !== "string") return { ...echo(news), ...old };
      return { ...echo(news), ...(await exec(news, command, old)) };
    },
    async delete(state) {
      if (typeof state.delete !== "string") return;
      await exec(state, state.delete, { stdout: state.stdout, stderr: state.stderr });
    },
  };
}

/** `command:local:run`: `RunOutputs{RunInputs: input}` plus stdout and stderr; runs in a preview too. */
export async function runFunction(run: Runner, args: Props): Promise<Props> {
  const command = String(args.command);
  return { ...echo(args), ...outputsOf(command, await run(args, command, {})) };
}
