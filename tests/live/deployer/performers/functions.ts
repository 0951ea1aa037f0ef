/**
 * Provider functions (invokes) the stand-in performs for real. The engine calls a provider's Invoke in a
 * preview as in an update (pulumi/pulumi `pkg/resource/deploy/source_eval.go`, resmon.Invoke, which passes
 * `Preview: DryRun` and leaves the decision to the provider), so a function runs in both unless the SDK
 * answers "unknown" without asking (arguments unknown in a preview, or a dependency not created yet:
 * `sdk/nodejs/runtime/invoke.ts`, invokeAsync). Every other token is refused.
 */
import { tail } from "../exec";
import { unwrapSecrets } from "../engine/values";
import { checkKeys, PerformerContext } from "./context";
import { localProcess, trimOutput } from "./command";

export type ProviderFunction = (args: Record<string, any>) => Promise<Record<string, any>>;

const RUN_KEYS = [
  "command", "stdin", "logging", "interpreter", "dir", "environment", "assetPaths", "archivePaths", "addPreviousOutputInEnv",
];

/**
 * `command:local:run` (pulumi/pulumi-command v1.2.1, provider/pkg/provider/local/runController.go, Run.Invoke):
 * no preview check, so it runs in a preview too; the result is `RunOutputs{RunInputs: input}` plus stdout and
 * stderr, i.e. the arguments echoed with `stdout`/`stderr` added, each with one trailing newline trimmed
 * (commandOutputs.go, run). A non-zero exit is an error, `"<exit status>: running %q:\n<output>"`, which
 * the engine returns to the program as "invocation of command:local:run returned an error: ..." (source_eval.go,
 * resmon.Invoke). `addPreviousOutputInEnv` has nothing to add: a function has no previous output.
 */
function localRun(ctx: PerformerContext): ProviderFunction {
  return async (args) => {
    // The SDK sends invoke arguments without secret markers (invoke.ts, unwrapSecretValues) and marks the whole
    // result secret itself when one was secret: nothing here can tell, so the command text is never logged.
    const { value: inputs } = unwrapSecrets(args);
    checkKeys("command:local:run", inputs, RUN_KEYS);
    for (const k of ["assetPaths", "archivePaths"]) {
      if (inputs[k] !== undefined) throw new Error(`the stand-in engine does not support command:local:run argument '${k}'`);
    }
    if (typeof inputs.command !== "string") throw new Error("command:local:run: the argument 'command' is required");
    const env: Record<string, string> = inputs.environment ?? {};
    ctx.log(`[local] invoke command:local:run env keys=[${Object.keys(env).join(",")}]`);
    const r = await localProcess(ctx, inputs).run(inputs.command, env);
    if (r.code !== 0 || r.timedOut) {
      const why = r.timedOut ? `timed out after ${ctx.commandTimeoutMs} ms (the stand-in's bound)` :
        r.code === null ? "killed by a signal" : `exit status ${r.code}`;
      // The provider's message carries stdout and stderr interleaved; here they come one after the other.
      throw new Error(`invocation of command:local:run returned an error: ${why}: running ${JSON.stringify(inputs.command)}:\n` +
        tail(r.stdout + r.stderr, 20));
    }
    const echoed = Object.fromEntries(Object.entries(inputs).filter(([, v]) => v !== undefined && v !== null));
    return { ...echoed, stdout: trimOutput(r.stdout), stderr: trimOutput(r.stderr) };
  };
}

/** Calls the function `token` names, or refuses one the stand-in does not perform. */
export function functionCaller(ctx: PerformerContext): (token: string, args: Record<string, any>) => Promise<Record<string, any>> {
  const functions: Record<string, ProviderFunction> = { "command:local:run": localRun(ctx) };
  return async (token, args) => {
    const f = functions[token];
    if (!f) throw new Error(`the stand-in engine does not perform function calls but ${Object.keys(functions).join(", ")} (invoke '${token}')`);
    return f(args);
  };
}
