import { execFile, spawn } from "child_process";
import * as fs from "fs";
import { promisify } from "util";
import { RealDeployer } from "./pulumi/realDeployer";

const execFileAsync = promisify(execFile);

/** What tests/live/lab/setup.sh built: Docker hosts in network namespaces, and local etcd images. */
export interface Lab {
    hosts: { name: string; address: string; dockerHost: string; socket: string }[];
    localDockerHost: string;
    images: Record<Series, string>;
}

/** The lab's etcd images (tests/live/lab/images.sh); `3.5-upgrade` is a 3.5 patch etcd's guide accepts as the source of a 3.6 upgrade. */
export type Series = "3.4" | "3.5" | "3.5-upgrade" | "3.6" | "3.7";
const allSeries: Series[] = ["3.4", "3.5", "3.5-upgrade", "3.6", "3.7"];

/** The etcd line the component's default image belongs to: every live file runs on it. */
export const DEFAULT_SERIES = "3.6" satisfies Series;

export const labFile = process.env.LAB_JSON ?? "/var/lib/etcd-lab/lab.json";

export function readLab(): Lab {
    if (!fs.existsSync(labFile)) {
        throw new Error(`${labFile} not found: the live suite needs the lab; run 'sudo bash tests/live/lab/setup.sh' (or 'npm run lab:up') first`);
    }
    const lab = JSON.parse(fs.readFileSync(labFile, "utf8")) as Lab;
    const missing = allSeries.filter((s) => !lab.images?.[s]);
    if (missing.length > 0) {
        throw new Error(`${labFile} has no etcd image for ${missing.join(", ")}: the lab predates them; run 'sudo bash tests/live/lab/setup.sh' again`);
    }
    return lab;
}

/** The lab's first `n` hosts; a lab with fewer is an error that says how to get more (never a silent skip). */
export function labHosts(lab: Lab, n: number): Lab["hosts"] {
    if (lab.hosts.length < n) {
        throw new Error(`this test needs ${n} lab hosts, ${labFile} has ${lab.hosts.length}; run 'sudo LAB_HOSTS=${n} bash tests/live/lab/setup.sh'`);
    }
    return lab.hosts.slice(0, n);
}

export interface RunResult {
    code: number;
    stdout: string;
    stderr: string;
}

/** Runs a program without a shell; never throws on a non-zero exit, so callers can assert on it. */
export async function run(file: string, args: string[], timeoutMs = 30_000): Promise<RunResult> {
    try {
        const { stdout, stderr } = await execFileAsync(file, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
        return { code: 0, stdout, stderr };
    } catch (e) {
        const err = e as { code?: number | string; stdout?: string; stderr?: string; message: string };
        return { code: typeof err.code === "number" ? err.code : -1, stdout: err.stdout ?? "", stderr: err.stderr ?? err.message };
    }
}

export async function mustRun(file: string, args: string[], timeoutMs?: number): Promise<string> {
    const r = await run(file, args, timeoutMs);
    if (r.code !== 0) {
        throw new Error(`${file} ${args.join(" ")} exited ${r.code}: ${r.stderr.trim()}`);
    }
    return r.stdout;
}

export const docker = (dockerHost: string, ...args: string[]) => run("docker", ["-H", dockerHost, ...args]);

/** A member as an operator reaches it: `docker exec <container> etcdctl …` on the member's own Docker host. */
export interface MemberRef {
    dockerHost: string;
    container: string;
    /** Client URL inside the container (the member's own listener). */
    localClientUrl: string;
}

export function etcdctlIn(m: MemberRef, ...args: string[]): Promise<RunResult> {
    return docker(m.dockerHost, "exec", m.container, "/usr/local/bin/etcdctl", `--endpoints=${m.localClientUrl}`, ...args);
}

/** etcdctl from outside the cluster (the root namespace's Debian etcd-client), as a user checking it would. */
export function etcdctlOutside(endpoints: string[], ...args: string[]): Promise<RunResult> {
    return run("etcdctl", [`--endpoints=${endpoints.join(",")}`, "--dial-timeout=3s", "--command-timeout=10s", ...args]);
}

/** Parsed `etcdctl member list`: `id, status, name, peerURLs, clientURLs[, isLearner]`. */
export function parseMemberList(text: string): { status: string; name: string; peerUrls: string; clientUrls: string }[] {
    return text.trim().split("\n").filter(Boolean).map((line) => {
        const [, status, name, peerUrls, clientUrls] = line.split(", ");
        return { status, name, peerUrls, clientUrls };
    });
}

/** Polls `check` until it returns true or the bound runs out; returns the last attempt's verdict. */
export async function eventually(check: () => Promise<boolean>, timeoutMs: number, intervalMs = 1000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        if (await check()) return true;
        if (Date.now() >= deadline) return false;
        await new Promise((r) => setTimeout(r, intervalMs));
    }
}

/**
 * The manual watch: `etcdctl watch <key>` on one member, from the current revision on, so the event is
 * seen even if the put lands before the watch is established. Resolves with what the watch printed.
 */
export async function watchOnce(m: MemberRef, key: string, fromRevision: number, timeoutMs = 15_000): Promise<string> {
    const child = spawn("docker", ["-H", m.dockerHost, "exec", m.container, "/usr/local/bin/etcdctl", `--endpoints=${m.localClientUrl}`,
        "watch", key, `--rev=${fromRevision}`], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => { out += d; });
    child.stderr.on("data", (d) => { out += d; });
    try {
        await eventually(async () => out.trim().split("\n").length >= 3, timeoutMs, 100);
        return out;
    } finally {
        child.kill("SIGTERM");
    }
}

/** Current store revision, from `endpoint status -w json` on one member. */
export async function revisionOf(m: MemberRef): Promise<number> {
    const r = await etcdctlIn(m, "endpoint", "status", "-w", "json");
    if (r.code !== 0) throw new Error(`endpoint status on ${m.container}: ${r.stderr}`);
    return (JSON.parse(r.stdout) as { Status: { header: { revision: number } } }[])[0].Status.header.revision;
}

/**
 * What a destroy leaves of a cluster with the default `dataVolumes.onDestroy: "retain"`: no container on any host,
 * only the members' data volumes, which this then removes so later tests start clean.
 */
export async function expectOnlyDataVolumesLeft(dockerHosts: string[], cluster: string): Promise<void> {
    for (const h of dockerHosts) {
        const filter = `label=etcd-cluster.cluster=${cluster}`;
        const containers = (await docker(h, "ps", "-a", "--filter", filter, "--format", "{{.Names}}")).stdout.trim();
        if (containers !== "") throw new Error(`after destroy, containers of ${cluster} are left on ${h}: ${containers}`);
        const volumes = (await docker(h, "volume", "ls", "--filter", filter, "--format", "{{.Name}}")).stdout.split("\n").filter(Boolean);
        const others = volumes.filter((v) => !v.endsWith("-data"));
        if (others.length > 0) throw new Error(`after destroy, volumes of ${cluster} other than data volumes are left on ${h}: ${others.join(", ")}`);
    }
    await removeLeftovers(dockerHosts, cluster);
}

/**
 * Removes what an interrupted earlier run may have left: containers and volumes with the component's
 * labels for this cluster, on every given host. The suite must tolerate a dirty machine.
 */
export async function removeLeftovers(dockerHosts: string[], cluster: string): Promise<void> {
    for (const h of dockerHosts) {
        const filter = `label=etcd-cluster.cluster=${cluster}`;
        const ctrs = (await docker(h, "ps", "-aq", "--filter", filter)).stdout.split("\n").filter(Boolean);
        if (ctrs.length) await docker(h, "rm", "-f", ...ctrs);
        const vols = (await docker(h, "volume", "ls", "-q", "--filter", filter)).stdout.split("\n").filter(Boolean);
        if (vols.length) await docker(h, "volume", "rm", "-f", ...vols);
    }
}

/** The real Pulumi engine, with the CLI's output in the test output only when LIVE_VERBOSE is set. */
export function newDeployer(): RealDeployer {
    return new RealDeployer();
}

/** Runs a program without a shell, with extra environment variables (where secrets go: never argv). */
export async function runWithEnv(file: string, args: string[], env: Record<string, string>, timeoutMs = 30_000): Promise<RunResult> {
    try {
        const { stdout, stderr } = await execFileAsync(file, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, ...env } });
        return { code: 0, stdout, stderr };
    } catch (e) {
        const err = e as { code?: number | string; stdout?: string; stderr?: string; message: string };
        return { code: typeof err.code === "number" ? err.code : -1, stdout: err.stdout ?? "", stderr: err.stderr ?? err.message };
    }
}

/** Client TLS files for etcdctl, written where the tests run (mode 0600). */
export interface ClientTlsFiles {
    dir: string;
    cacert: string;
    cert: string;
    key: string;
}

/** Writes a CA, client certificate and key (e.g. a cluster's outputs) to a fresh temp dir. */
export function writeClientTls(ca: string, cert: string, key: string): ClientTlsFiles {
    const dir = fs.mkdtempSync(`${require("os").tmpdir()}/etcd-client-tls-`);
    const write = (name: string, content: string) => {
        const file = `${dir}/${name}`;
        fs.writeFileSync(file, content, { mode: 0o600 });
        return file;
    };
    return { dir, cacert: write("ca.crt", ca), cert: write("client.crt", cert), key: write("client.key", key) };
}

/**
 * etcdctl from outside the cluster over TLS: `--cacert` always, `--cert/--key` when `withCert`; credentials (if
 * any) through `ETCDCTL_USER` in the environment.
 *
 * With credentials, the client's own warnings that it re-authenticated after "invalid auth token" are taken out of
 * stderr. etcd's simple tokens are checked against the member's applied index, which may lag the entry that made
 * the token (https://github.com/etcd-io/etcd/issues/18437); the client then logs a warning, authenticates again and
 * retries. A call that still fails ends with its `Error:` line and a non-zero exit, which stay.
 */
export async function etcdctlTls(endpoints: string[], files: ClientTlsFiles, opts: { withCert?: boolean; user?: string }, ...args: string[]): Promise<RunResult> {
    const tlsArgs = [`--cacert=${files.cacert}`, ...(opts.withCert === false ? [] : [`--cert=${files.cert}`, `--key=${files.key}`])];
    const r = await runWithEnv("etcdctl", [`--endpoints=${endpoints.join(",")}`, "--dial-timeout=3s", "--command-timeout=10s", ...tlsArgs, ...args],
        opts.user ? { ETCDCTL_USER: opts.user } : {});
    if (!opts.user) return r;
    const retried = (line: string) => line.includes('"msg":"retrying of unary invoker failed"') && line.includes("invalid auth token");
    return { ...r, stderr: r.stderr.split("\n").filter((l) => !retried(l)).join("\n") };
}
