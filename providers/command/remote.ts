/**
 * A remote command as pulumi-command runs one (pulumi/pulumi-command v1.2.1, provider/pkg/provider/remote/
 * connection.go and commandOutputs.go): an ssh client of its own (Go's x/crypto/ssh there, ssh2 here), never the
 * system's ssh, so no ssh config, known_hosts or default identity file takes part. It authenticates with
 * `privateKey` if given and with the agent at SSH_AUTH_SOCK if that is set, and accepts any host key (no `hostKey`).
 * Dialing (connect and authenticate) is retried: `dialErrorLimit` failures are allowed (-1: no limit), so the
 * default 10 means 11 dials, 100 ms apart growing 1.5× to at most 5 s (dialWithRetry, reachedDialingErrorLimit;
 * sdk/go/common/util/retry/until.go), and the last failure ends it as "after N failed attempts: …".
 */
import * as os from "node:os";
import { Client, ClientChannel, ConnectConfig, utils } from "ssh2";
import { Ran } from "./outcome";

export interface Connection {
  host: string;
  port: number;
  user: string;
  privateKey?: string;
  dialErrorLimit: number;
  /** Seconds; 0 is no limit. */
  perDialTimeout: number;
}

/** Retry delays of pulumi's retry.Until: 100 ms, ×1.5 each time, at most 5 s. */
export function dialDelayMs(failedDials: number): number {
  return Math.min(5000, 100 * Math.pow(1.5, failedDials - 1));
}

/** Whether another dial is allowed after `failedDials` failures (reachedDialingErrorLimit: dials > limit). */
export function mayRedial(failedDials: number, limit: number): boolean {
  return limit < 0 || failedDials <= limit;
}

export function sshConfig(c: Connection): ConnectConfig {
  return {
    host: c.host,
    port: c.port,
    username: c.user,
    privateKey: c.privateKey,
    agent: process.env.SSH_AUTH_SOCK || undefined,
    // ssh.ClientConfig.Timeout; ssh2's own default (20 s) would otherwise apply.
    readyTimeout: c.perDialTimeout > 0 ? c.perDialTimeout * 1000 : 2 ** 31 - 1,
  };
}

function dialOnce(c: Connection): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    client.once("ready", () => resolve(client));
    client.once("error", (e) => {
      client.end();
      reject(e);
    });
    client.connect(sshConfig(c));
  });
}

/** Dials with the provider's retries; `note` hears of each failed dial that is retried (its InfoStatus). */
export async function dial(c: Connection, note: (line: string) => void = () => undefined): Promise<Client> {
  // A key that does not parse fails at once, before any dial (SSHConfig runs before dialWithRetry in Dial).
  const parsed = c.privateKey === undefined ? undefined : utils.parseKey(c.privateKey);
  if (parsed instanceof Error) throw new Error(`ssh: cannot parse the private key: ${parsed.message}`);
  const limit = c.dialErrorLimit < 0 ? "inf" : String(c.dialErrorLimit);
  for (let failed = 0; ; ) {
    try {
      return await dialOnce(c);
    } catch (e) {
      failed++;
      if (!mayRedial(failed, c.dialErrorLimit)) throw new Error(`after ${failed - 1} failed attempts: ${(e as Error).message}`);
      note(`Dial ${failed}/${limit} failed: retrying`);
      await new Promise((r) => setTimeout(r, dialDelayMs(failed)));
    }
  }
}

/**
 * Runs `command` in a session of its own. `env` goes as ssh "env" requests, as the provider's session.Setenv; an
 * sshd without AcceptEnv for them drops them (the provider then warns and goes on for PULUMI_COMMAND_STDOUT/
 * STDERR, which is all this plugin sends: `environment` is refused for remote commands, whose Setenv failure
 * would fail the command there).
 */
export async function runRemote(
  c: Connection, command: string, stdin: string | undefined, env: Record<string, string>, note?: (line: string) => void,
): Promise<Ran> {
  // A dial failure is thrown as it is, without "running …" (commandOutputs.go, run: `return err`).
  const client = await dial(c, note);
  try {
    return await exec(client, command, stdin, env);
  } finally {
    client.end();
  }
}

function exec(client: Client, command: string, stdin: string | undefined, env: Record<string, string>): Promise<Ran> {
  return new Promise((resolve, reject) => {
    client.exec(command, { env }, (err: Error | undefined, ch: ClientChannel) => {
      if (err) return reject(err);
      const out: Buffer[] = [];
      const errs: Buffer[] = [];
      const all: Buffer[] = [];
      let status: number | null = null;
      let signal: string | undefined;
      ch.on("data", (b: Buffer) => { out.push(b); all.push(b); });
      ch.stderr.on("data", (b: Buffer) => { errs.push(b); all.push(b); });
      ch.on("exit", (code: number | null, sig?: string) => {
        status = code;
        signal = sig;
      });
      ch.on("close", () => {
        const text = (bs: Buffer[]) => Buffer.concat(bs).toString("utf8");
        resolve({ failure: exitText(status, signal), stdout: text(out), stderr: text(errs), combined: text(all) });
      });
      // Stdin only when not empty; otherwise the session's stdin is closed at once (Go gives it an empty reader).
      ch.end(stdin ? stdin : undefined);
    });
  });
}

/**
 * How Go's ssh session reports an exit (golang.org/x/crypto/ssh session.go, wait and Waitmsg.String): "" for 0;
 * a signal without a status counts as 128 + its number, named without "SIG"; neither is ExitMissingError.
 */
export function exitText(status: number | null, signal: string | undefined): string {
  if (status === 0 && !signal) return "";
  if (signal) {
    const name = signal.replace(/^SIG/, "");
    const number = (os.constants.signals as Record<string, number>)[`SIG${name}`];
    const code = status ?? 128 + (number ?? 0);
    return `Process exited with status ${code} from signal ${name}`;
  }
  if (status === null) return "wait: remote command exited without exit status or exit signal";
  return `Process exited with status ${status}`;
}
