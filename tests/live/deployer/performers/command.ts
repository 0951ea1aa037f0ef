/**
 * @pulumi/command local and remote Command (pulumi/pulumi-command v1.2.x, provider/pkg/provider/{local,remote}/
 * commandController.go): create runs `create`; update runs `update` if set, else `create`; delete runs the
 * state's `delete` with the state's environment and connection. With addPreviousOutputInEnv (default true)
 * update and delete see the previous stdout/stderr as PULUMI_COMMAND_STDOUT / PULUMI_COMMAND_STDERR: Update
 * starts from `CommandOutputs{CommandInputs: news, BaseOutputs: olds.BaseOutputs}` and run() (local/
 * commandOutputs.go) adds the non-empty previous ones to the environment, after `environment`, when the new
 * inputs' addPreviousOutputInEnv is unset or true; so an update printing $PULUMI_COMMAND_STDOUT keeps stdout.
 * stdout/stderr lose one trailing newline. A failed create saves nothing; a failed update keeps the old state.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { randomBytes } from "node:crypto";
import { run, shQuote, sleep } from "../exec";
import { Performer, ResourceState, Target } from "../engine/types";
import { unwrapSecrets } from "../engine/values";
import { checkKeys, PerformerContext } from "./context";

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export type Runner = { where: string; run: (script: string, env: Record<string, string>) => Promise<CommandResult> };

const COMMON = ["create", "update", "delete", "environment", "stdin", "addPreviousOutputInEnv", "logging", "triggers"];
/** strings.TrimSuffix(out, "\n") in commandOutputs.go, run: one trailing newline goes, no more. */
export const trimOutput = (s: string) => (s.endsWith("\n") ? s.slice(0, -1) : s);

function localRunner(ctx: PerformerContext, inputs: Record<string, any>): Runner {
  checkKeys("local Command", inputs, [...COMMON, "dir", "interpreter", "assetPaths", "archivePaths"]);
  for (const k of ["assetPaths", "archivePaths"]) {
    if (Array.isArray(inputs[k]) && inputs[k].length) throw new Error(`the live deployer does not support local Command input '${k}'`);
  }
  return localProcess(ctx, inputs);
}

/**
 * How pulumi-command runs a local script, for the Command resource and the `run` function alike
 * (provider/pkg/provider/local/commandOutputs.go, run): `interpreter` if set and not empty, else
 * `/bin/sh -c`; the script is its last argument; `dir` or the provider's working directory; the
 * provider's environment plus `environment`; `stdin` only when not empty.
 */
export function localProcess(ctx: PerformerContext, inputs: Record<string, any>): Runner {
  const interpreter: string[] = inputs.interpreter?.length ? inputs.interpreter : ["/bin/sh", "-c"];
  return {
    where: "local",
    run: (script, env) => run(interpreter[0], [...interpreter.slice(1), script], {
      env: { ...process.env, ...env },
      cwd: inputs.dir,
      input: inputs.stdin || undefined,
      timeoutMs: ctx.commandTimeoutMs,
    }),
  };
}

function remoteRunner(ctx: PerformerContext, inputs: Record<string, any>): Runner {
  checkKeys("remote Command", inputs, [...COMMON, "connection"]);
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
    keyFile = path.join(ctx.tmpDir(), "id");
    fs.writeFileSync(keyFile, String(c.privateKey).endsWith("\n") ? String(c.privateKey) : `${c.privateKey}\n`, { mode: 0o600 });
  }
  const sshEnv: NodeJS.ProcessEnv = { ...process.env };
  if (c.agentSocketPath) sshEnv.SSH_AUTH_SOCK = String(c.agentSocketPath);
  const attempts = c.dialErrorLimit === undefined ? 10 : Number(c.dialErrorLimit) < 0 ? 30 : Math.max(1, Math.min(30, Number(c.dialErrorLimit)));
  const sshArgv = (remote: string) => [
    "-p", String(port), "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
    "-o", "LogLevel=ERROR", "-o", `ConnectTimeout=${Number(c.perDialTimeout ?? 15)}`,
    ...(keyFile ? ["-i", keyFile, "-o", "IdentitiesOnly=yes"] : []),
    "-l", user, String(c.host), "--", remote,
  ];
  return {
    where,
    // The provider uses ssh Setenv (needs AcceptEnv on the server); here the variables are exported in front
    // of the command string instead, single-quoted.
    async run(script, env) {
      const prefix = Object.entries(env).map(([k, v]) => {
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new Error(`remote Command environment: invalid variable name ${k}`);
        return `export ${k}=${shQuote(String(v))}; `;
      }).join("");
      let r: CommandResult | undefined;
      for (let i = 1; i <= attempts; i++) {
        r = await run("ssh", sshArgv(prefix + script), { env: sshEnv, input: inputs.stdin, timeoutMs: ctx.commandTimeoutMs });
        const dialFailed = r.code === 255 && /connect to host|Connection (refused|reset|timed out|closed)|No route to host|timed out/i.test(r.stderr);
        if (!dialFailed || i === attempts) break;
        ctx.log(`[${where}] dial failed (attempt ${i}/${attempts}), retrying`);
        await sleep(1000);
      }
      return r!;
    },
  };
}

/** Where a command runs: "local", or `ssh user@host:port`. */
export function commandWhere(type: string, inputs: Record<string, any>): string {
  const c = inputs.connection ?? {};
  return type === "command:local:Command" ? "local" : `ssh ${c.user ?? "root"}@${c.host}:${c.port ?? 22}`;
}

export function command(ctx: PerformerContext, kind: "local" | "remote"): Performer {
  const runnerFor = (inputs: Record<string, any>) => (kind === "local" ? localRunner(ctx, inputs) : remoteRunner(ctx, inputs));
  const exec = async (name: string, phase: string, inputs: Record<string, any>, secret: boolean, script: string, extra: Record<string, string>) => {
    const runner = runnerFor(inputs);
    const env: Record<string, string> = inputs.environment ?? {};
    const shown = secret ? "[secret]" : JSON.stringify(script.length > 100 ? script.slice(0, 100) + "…" : script);
    ctx.log(`[${runner.where}] command ${name}: ${phase} ${shown} env keys=[${Object.keys(env).join(",")}]`);
    const r = await runner.run(script, { ...env, ...extra });
    if (r.code !== 0 || r.timedOut) {
      const why = r.timedOut ? `timed out after ${ctx.commandTimeoutMs} ms` : `exited with code ${r.code}`;
      // The provider's error carries the whole output (pulumi-command provider/pkg/provider/local/commandOutputs.go,
      // run: "%w: running %q:\n%s" with all of stdout and stderr); here all of stderr, where the scripts say why.
      throw new Error(`${kind} command ${name}${phase === "create" ? "" : ` ${phase}`}${kind === "remote" ? ` (${runner.where})` : ""} ` +
        `${why}; stderr:\n${r.stderr.trim() || "(empty)"}`);
    }
    return { stdout: trimOutput(r.stdout), stderr: trimOutput(r.stderr) };
  };
  const previous = (inputs: Record<string, any>, old: ResourceState): Record<string, string> => {
    const outputs = unwrapSecrets(old.outputs).value;
    // Only non-empty ones are set (commandController.go).
    if (inputs.addPreviousOutputInEnv === false) return {};
    const env: Record<string, string> = {};
    if (outputs.stdout) env.PULUMI_COMMAND_STDOUT = String(outputs.stdout);
    if (outputs.stderr) env.PULUMI_COMMAND_STDERR = String(outputs.stderr);
    return env;
  };
  return {
    computed: ["stdout", "stderr"],
    async create(t: Target) {
      runnerFor(t.inputs); // validates the inputs even when there is no create
      const out = t.inputs.create === undefined ? { stdout: "", stderr: "" } :
        await exec(t.name, "create", t.inputs, t.secret, String(t.inputs.create), {});
      return { id: `${t.name}-${randomBytes(4).toString("hex")}`, outputs: { ...t.inputs, ...out } };
    },
    async update(old: ResourceState, t: Target) {
      const script = t.inputs.update ?? t.inputs.create;
      const prev = previous({}, old);
      const out = script === undefined ? { stdout: prev.PULUMI_COMMAND_STDOUT ?? "", stderr: prev.PULUMI_COMMAND_STDERR ?? "" } :
        await exec(t.name, t.inputs.update !== undefined ? "update" : "create (as update)", t.inputs, t.secret, String(script),
          previous(t.inputs, old));
      return { ...t.inputs, ...out };
    },
    async delete(old: ResourceState) {
      const { value: inputs, secret } = unwrapSecrets(old.inputs);
      if (inputs.delete === undefined) return "nothing";
      await exec(old.name, "delete", inputs, secret, String(inputs.delete), previous(inputs, old));
      return "destroyed";
    },
  };
}
