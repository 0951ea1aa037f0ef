/**
 * A local command as pulumi-command runs one, for the Command resource and the `run` function alike
 * (pulumi/pulumi-command v1.2.1, provider/pkg/provider/local/commandOutputs.go, run): `interpreter` if set and not
 * empty, else `/bin/sh -c`, the command its last argument; in `dir`, else the provider's working directory; the
 * provider's environment, then `environment`, then the previous outputs; `stdin` only when not empty.
 */
import * as fs from "node:fs";
import { spawn } from "node:child_process";
import { Ran } from "./outcome";

export interface LocalInputs {
  interpreter?: string[];
  dir?: string;
  environment?: Record<string, string>;
  stdin?: string;
}

/** Go's names of the signals a command is likely to die of (os/exec ProcessState.String: "signal: killed"). */
const SIGNAL_NAMES: Record<string, string> = {
  SIGKILL: "killed", SIGTERM: "terminated", SIGINT: "interrupt", SIGHUP: "hangup", SIGQUIT: "quit",
  SIGABRT: "aborted", SIGSEGV: "segmentation fault", SIGPIPE: "broken pipe",
};

/**
 * Runs `command` locally. `extraEnv` comes last (PULUMI_COMMAND_STDOUT/STDERR). `timeoutMs` is a bound of the
 * caller's: the real provider has none but the engine's cancellation.
 */
export function runLocal(command: string, inputs: LocalInputs, extraEnv: Record<string, string>, timeoutMs?: number): Promise<Ran> {
  const argv = inputs.interpreter?.length ? [...inputs.interpreter, command] : ["/bin/sh", "-c", command];
  const cwd = inputs.dir ?? process.cwd();
  // Go's exec reports these before starting anything; Node would only say "spawn ENOENT" for both.
  if (!fs.existsSync(cwd)) return Promise.resolve(notStarted(`chdir ${cwd}: no such file or directory`));
  if (!argv[0].includes("/") && !onPath(argv[0])) {
    return Promise.resolve(notStarted(`exec: "${argv[0]}": executable file not found in $PATH`));
  }
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), {
      cwd,
      env: { ...process.env, ...(inputs.environment ?? {}), ...extraEnv },
      stdio: [inputs.stdin ? "pipe" : "ignore", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const all: Buffer[] = [];
    let timedOut = false;
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => { timedOut = true; child.kill("SIGKILL"); }, timeoutMs);
    child.stdout!.on("data", (b: Buffer) => { out.push(b); all.push(b); });
    child.stderr!.on("data", (b: Buffer) => { err.push(b); all.push(b); });
    if (inputs.stdin) {
      child.stdin!.on("error", () => undefined); // EPIPE: the command did not read its stdin
      child.stdin!.end(inputs.stdin);
    }
    let finished = false;
    const done = (failure: string) => {
      if (finished) return; // a failed spawn emits "error" and then "close"
      finished = true;
      if (timer) clearTimeout(timer);
      const text = (bs: Buffer[]) => Buffer.concat(bs).toString("utf8");
      resolve({ failure, stdout: text(out), stderr: text(err), combined: text(all) });
    };
    child.on("error", (e) => done(`exec: ${e.message}`));
    child.on("close", (code, signal) => {
      if (timedOut) done(`timed out after ${timeoutMs} ms (a bound of the caller's, not the provider's)`);
      else if (signal) done(`signal: ${SIGNAL_NAMES[signal] ?? signal}`);
      else done(code === 0 ? "" : `exit status ${code}`);
    });
  });
}

function notStarted(failure: string): Ran {
  return { failure, stdout: "", stderr: "", combined: "" };
}

function onPath(file: string): boolean {
  return (process.env.PATH ?? "").split(":").some((d) => {
    try {
      fs.accessSync(`${d || "."}/${file}`, fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
