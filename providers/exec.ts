/**
 * Process helpers for the live deployer: every external program is started with `spawn` and an argv array,
 * never through a shell, so no value is ever interpolated into a command line.
 */
import { spawn } from "node:child_process";

export interface RunOptions {
  /** Bytes written to stdin (stdin is closed afterwards; with no input it is closed at once). */
  input?: string | Buffer;
  /** Complete environment of the child (defaults to process.env). */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Kill the child (SIGKILL) after this many ms; the result then has `timedOut: true`. */
  timeoutMs?: number;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Runs `file` with `args`; resolves with the outcome whatever the exit code, rejects only if it cannot start. */
export function run(file: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args as string[], {
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      stdio: ["pipe", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer =
      opts.timeoutMs !== undefined
        ? setTimeout(() => {
            timedOut = true;
            child.kill("SIGKILL");
          }, opts.timeoutMs)
        : undefined;
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.stdin.on("error", () => undefined); // EPIPE when the child does not read its stdin
    child.on("error", (e) => {
      if (timer) clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
        timedOut,
      });
    });
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
  });
}

/** The last `n` non-empty lines of a text, for error messages. */
export function tail(text: string, n = 20): string {
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  return lines.slice(-n).join("\n");
}

/** Single-quotes a value for a POSIX shell (used only for the remote side of ssh, which always runs a shell). */
export function shQuote(s: string): string {
  return "'" + s.replace(/'/g, "'\\''") + "'";
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
