/**
 * One Docker engine as configured by a `pulumi:providers:docker` resource: runs the docker CLI against it
 * (`docker -H <host> ...`) and makes raw Engine API requests through `docker -H <host> system dial-stdio`,
 * so unix://, ssh:// (the CLI shells out to `ssh`, reading ~/.ssh/config) and tcp:// (+TLS) all behave the same.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { run, RunOptions, RunResult, shQuote, tail } from "../exec";

export class DockerCliError extends Error {
  constructor(message: string, readonly result: RunResult) {
    super(message);
    this.name = "DockerCliError";
  }
}

/** True when a docker CLI/API error says the object does not exist. */
export function isNotFound(text: string): boolean {
  return /no such (container|volume|network|image|object)|not found/i.test(text);
}

export interface DockerHostOptions {
  host: string;
  /** Extra ssh options (the provider's `sshOpts`): applied through an `ssh` wrapper first on PATH. */
  sshOpts?: string[];
  caMaterial?: string;
  certMaterial?: string;
  keyMaterial?: string;
  certPath?: string;
}

export class DockerHost {
  readonly host: string;
  private readonly env: NodeJS.ProcessEnv;
  /** Temp directory holding TLS material and/or the ssh wrapper; removed by dispose(). */
  private tmpDir?: string;

  constructor(opts: DockerHostOptions) {
    if (!/^(unix|ssh|tcp|npipe):\/\//.test(opts.host)) {
      throw new Error(`docker provider host must be unix://, ssh:// or tcp://, got ${JSON.stringify(opts.host)}`);
    }
    this.host = opts.host;
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.DOCKER_HOST;
    delete env.DOCKER_CONTEXT;
    delete env.DOCKER_TLS_VERIFY;
    delete env.DOCKER_CERT_PATH;
    const tls = opts.caMaterial || opts.certMaterial || opts.keyMaterial;
    if (tls || opts.certPath) {
      if (!opts.host.startsWith("tcp://")) throw new Error("TLS material/certPath is only meaningful with a tcp:// host");
      if (tls) {
        if (!(opts.caMaterial && opts.certMaterial && opts.keyMaterial)) {
          throw new Error("caMaterial, certMaterial and keyMaterial must be given together");
        }
        const dir = this.makeTmp();
        fs.writeFileSync(path.join(dir, "ca.pem"), opts.caMaterial, { mode: 0o600 });
        fs.writeFileSync(path.join(dir, "cert.pem"), opts.certMaterial, { mode: 0o600 });
        fs.writeFileSync(path.join(dir, "key.pem"), opts.keyMaterial, { mode: 0o600 });
        env.DOCKER_CERT_PATH = dir;
      } else {
        env.DOCKER_CERT_PATH = opts.certPath;
      }
      env.DOCKER_TLS_VERIFY = "1";
    }
    if (opts.sshOpts && opts.sshOpts.length > 0) {
      if (!opts.host.startsWith("ssh://")) throw new Error("sshOpts is only meaningful with an ssh:// host");
      // The docker CLI runs `ssh` from PATH and has no way to pass options: put a wrapper first on PATH.
      const dir = this.makeTmp();
      const real = findOnPath("ssh");
      const script = `#!/bin/sh\nexec ${shQuote(real)} ${opts.sshOpts.map(shQuote).join(" ")} "$@"\n`;
      fs.writeFileSync(path.join(dir, "ssh"), script, { mode: 0o700 });
      env.PATH = `${dir}:${env.PATH ?? ""}`;
    }
    this.env = env;
  }

  private makeTmp(): string {
    if (!this.tmpDir) this.tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), "live-deployer-docker-"));
    return this.tmpDir;
  }

  dispose(): void {
    if (this.tmpDir) fs.rmSync(this.tmpDir, { recursive: true, force: true });
    this.tmpDir = undefined;
  }

  /** Runs `docker -H <host> ...args`; never throws on a non-zero exit. */
  cli(args: string[], opts: Omit<RunOptions, "env"> = {}): Promise<RunResult> {
    return run("docker", ["-H", this.host, ...args], { timeoutMs: 120_000, ...opts, env: this.env });
  }

  /** Like cli() but throws a DockerCliError (with stderr) on a non-zero exit; returns trimmed stdout. */
  async cliOk(args: string[], opts: Omit<RunOptions, "env"> = {}): Promise<string> {
    const r = await this.cli(args, opts);
    if (r.code !== 0) {
      throw new DockerCliError(
        `docker -H ${this.host} ${args.slice(0, 3).join(" ")} failed (exit ${r.code}${r.timedOut ? ", timed out" : ""}): ${tail(r.stderr || r.stdout, 10)}`,
        r,
      );
    }
    return r.stdout.trim();
  }

  /** `docker inspect` of one object as parsed JSON, or undefined when it does not exist. */
  async inspect(kind: "container" | "volume" | "network" | "image", ref: string): Promise<any | undefined> {
    const r = await this.cli([kind, "inspect", ref]);
    if (r.code !== 0) {
      if (isNotFound(r.stderr)) return undefined;
      throw new DockerCliError(`docker -H ${this.host} ${kind} inspect ${ref} failed: ${tail(r.stderr, 10)}`, r);
    }
    return JSON.parse(r.stdout)[0];
  }

  /** One Engine API request (HTTP/1.1 over `docker system dial-stdio`). Throws on a status >= 400. */
  async api(method: string, urlPath: string, body?: unknown): Promise<any> {
    const payload = body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(body), "utf8");
    const head =
      `${method} ${urlPath} HTTP/1.1\r\nHost: docker\r\nUser-Agent: live-deployer\r\nConnection: close\r\n` +
      (body === undefined ? "" : `Content-Type: application/json\r\n`) +
      `Content-Length: ${payload.length}\r\n\r\n`;
    const r = await run("docker", ["-H", this.host, "system", "dial-stdio"], {
      env: this.env,
      input: Buffer.concat([Buffer.from(head, "latin1"), payload]),
      timeoutMs: 60_000,
    });
    const res = parseHttpResponse(r.stdout);
    if (!res) {
      throw new Error(`docker -H ${this.host} ${method} ${urlPath}: no HTTP response (exit ${r.code}): ${tail(r.stderr, 10)}`);
    }
    let json: any = undefined;
    try {
      json = res.body ? JSON.parse(res.body) : undefined;
    } catch {
      json = res.body;
    }
    if (res.status >= 400) {
      const msg = json && typeof json === "object" && json.message ? json.message : res.body;
      throw new Error(`docker -H ${this.host} ${method} ${urlPath}: HTTP ${res.status}: ${msg}`);
    }
    return json;
  }
}

function findOnPath(cmd: string): string {
  for (const dir of (process.env.PATH ?? "/usr/bin:/bin").split(":")) {
    const p = path.join(dir, cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  throw new Error(`${cmd} not found on PATH`);
}

/** Parses a complete HTTP/1.1 response (Content-Length, chunked or read-to-close). */
export function parseHttpResponse(raw: string): { status: number; headers: Record<string, string>; body: string } | undefined {
  const sep = raw.indexOf("\r\n\r\n");
  if (sep < 0) return undefined;
  const lines = raw.slice(0, sep).split("\r\n");
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]);
  if (!m) return undefined;
  const headers: Record<string, string> = {};
  for (const l of lines.slice(1)) {
    const i = l.indexOf(":");
    if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  let body = raw.slice(sep + 4);
  if (/chunked/i.test(headers["transfer-encoding"] ?? "")) {
    let out = "";
    let rest = body;
    for (;;) {
      const nl = rest.indexOf("\r\n");
      if (nl < 0) break;
      const size = parseInt(rest.slice(0, nl), 16);
      if (!size) break;
      out += rest.slice(nl + 2, nl + 2 + size);
      rest = rest.slice(nl + 2 + size + 2);
    }
    body = out;
  }
  return { status: Number(m[1]), headers, body };
}
