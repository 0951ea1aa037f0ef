/**
 * What the day-2 benchmark's parts share (bench/day2.ts): the lab and its knobs, cleanup, the clusters' arguments,
 * a deployer whose log lines carry their time, and the etcd questions and data the parts need.
 */
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { performance } from "perf_hooks";
import { randomBytes } from "crypto";
import { EtcdCluster } from "../components/resources/etcdCluster";
import { EtcdClusterArgs } from "../components/args";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { RealDeployer } from "../tests/live/pulumi/realDeployer";
import { run } from "../providers/exec";
import { DEFAULT_SERIES, readLab, Series } from "../tests/live/lab";
import { postJson, b64 } from "../tests/live/etcdHttp";
import { componentArgs } from "./componentProgram";
import { BenchCluster } from "./topology";
import { log } from "./common";

export const lab = readLab();
export const series = (process.env.BENCH_ETCD ?? DEFAULT_SERIES) as Series;
/** The etcd image every live benchmark deploys (BENCH_ETCD, the component's default line unless told): also bench/live.ts's. */
export const image = lab.images[series];
export const runs = Number(process.env.BENCH_RUNS ?? 3);
export const dataMb = Number(process.env.BENCH_DATA_MB ?? 100);
export const verbose = !!process.env.BENCH_VERBOSE;
export const hostUrls = lab.hosts.map((h) => h.dockerHost);
export const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "etcd-bench-day2-"));
export const prefix = "bench-d2-";

export const docker = (host: string, ...args: string[]) => run("docker", ["-H", host, ...args], { timeoutMs: 120_000 });

/** Removes every `bench-d2-` container and volume on every lab host (this run's or an interrupted one's). */
export async function cleanup(): Promise<void> {
    await Promise.all(hostUrls.map(async (h) => {
        const names = (await docker(h, "ps", "-a", "--format", "{{.Names}}")).stdout.split("\n").filter((n) => n.startsWith(prefix));
        if (names.length) await docker(h, "rm", "-f", "-v", ...names);
        const vols = (await docker(h, "volume", "ls", "--format", "{{.Name}}")).stdout.split("\n").filter((n) => n.startsWith(prefix));
        if (vols.length) await docker(h, "volume", "rm", "-f", ...vols);
    }));
}

export const endpointOf = (m: BenchCluster["members"][number]) => `http://${lab.hosts[m.hostIndex].address}:${m.clientPort}`;
export const endpointsOf = (c: BenchCluster) => c.members.map(endpointOf);
export const sub = (c: BenchCluster, n: number): BenchCluster => ({ name: c.name, members: c.members.slice(0, n) });

export function argsFor(c: BenchCluster, extra: Partial<EtcdClusterArgs> = {}): EtcdClusterArgs {
    return componentArgs(c, hostUrls, image, {
        healthCheck: { timeoutSeconds: 120 },
        rollout: { memberTimeoutSeconds: 120, snapshotDir: path.join(workDir, "snapshots", c.name) },
        ...extra,
    });
}

/**
 * The engine's step events as lines (`command <name>: create|update|delete`, `create|remove|start container
 * <name>`): a step's start for creates, updates and deletes, a container's create finishing for its start.
 */
export function engineLine(e: EngineEvent): string | undefined {
    const pre = e.resourcePreEvent?.metadata;
    const done = e.resOutputsEvent?.metadata;
    const m = pre ?? done;
    if (!m) return undefined;
    const name = m.urn.slice(m.urn.lastIndexOf("::") + 2);
    const op = m.op.replace(/-replace(ment|d)$/, "");
    if (m.type === "command:local:Command" && pre && op !== "same") return `command ${name}: ${op}`;
    if (m.type !== "docker:index/container:Container") return undefined;
    const container = String((m.new ?? m.old)?.inputs?.name ?? name);
    if (pre && op === "create") return `create container ${container} `;
    if (pre && op === "delete") return `remove container ${container}`;
    if (done && op === "create") return `start container ${container}`;
    return undefined;
}

/** A deployer on the real engine whose step events are kept as timed lines, so phases can be read off them. */
export function newDeployer() {
    const lines: { t: number; line: string }[] = [];
    const deployer = new RealDeployer({
        skipNoChangeChecks: true,
        onEvent: (e) => {
            const line = engineLine(e);
            if (!line) return;
            lines.push({ t: performance.now(), line });
            if (verbose) log(line);
        },
    });
    return { deployer, lines };
}
export type Logged = ReturnType<typeof newDeployer>;

/** When (performance.now) the first log line since `from` matching `re` was written; NaN if none. */
export function at(lines: Logged["lines"], from: number, re: RegExp): number {
    return lines.find((l) => l.t >= from && re.test(l.line))?.t ?? NaN;
}

export async function deployCluster(d: Logged, c: BenchCluster, extra: Partial<EtcdClusterArgs> = {}): Promise<void> {
    await d.deployer.deploy(c.name, () => {
        const cluster = new EtcdCluster(c.name, argsFor(c, extra));
        return { report: cluster.healthReport };
    });
}

/** `etcdctl endpoint status` of each endpoint: db size (bytes) and raft applied index, NaN where it did not answer. */
export async function status(endpoints: string[]): Promise<{ dbSize: number; applied: number; learner: boolean }[]> {
    return Promise.all(endpoints.map(async (ep) => {
        const r = await run("etcdctl", [`--endpoints=${ep}`, "--dial-timeout=2s", "--command-timeout=5s", "endpoint", "status", "-w", "json"], { timeoutMs: 15_000 });
        try {
            const s = JSON.parse(r.stdout)[0].Status;
            return { dbSize: Number(s.dbSize), applied: Number(s.raftAppliedIndex ?? s.raft_applied_index ?? NaN), learner: !!s.isLearner };
        } catch {
            return { dbSize: NaN, applied: NaN, learner: false };
        }
    }));
}

/** `member list` through the given endpoints: `name learner=…` of each member (what the cluster says it has). */
export async function memberList(endpoints: string[]): Promise<string[]> {
    const r = await run("etcdctl", [`--endpoints=${endpoints.join(",")}`, "--dial-timeout=2s", "--command-timeout=5s", "member", "list", "-w", "json"], { timeoutMs: 15_000 });
    try {
        return (JSON.parse(r.stdout).members as { name?: string; isLearner?: boolean }[]).map((m) => `${m.name || "<unstarted>"}${m.isLearner ? " (learner)" : ""}`).sort();
    } catch {
        return [`? ${r.stderr.trim().split("\n")[0]}`];
    }
}


/** ~`mb` MB of data: puts of 100 KiB random values through the JSON gateway, 4 at a time, round-robin. */
export async function writeData(endpoints: string[], mb: number): Promise<{ puts: number; failed: number; seconds: number }> {
    const puts = Math.round(mb * 10);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    let next = 0;
    let failed = 0;
    const t = performance.now();
    await Promise.all(Array.from({ length: 4 }, async () => {
        for (;;) {
            const i = next++;
            if (i >= puts) return;
            const r = await postJson(agent, endpoints[i % endpoints.length], "/v3/kv/put",
                { key: b64(`/bench/data/${String(i).padStart(5, "0")}`), value: randomBytes(100 * 1024).toString("base64") }, 30_000);
            if (r.status !== 200) failed++;
        }
    }));
    agent.destroy();
    return { puts, failed, seconds: (performance.now() - t) / 1000 };
}

// ------------------------------------------------------------------ 1. scale-out

