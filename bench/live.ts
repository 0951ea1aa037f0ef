/**
 * Live benchmarks (issue 6, parts 1 and 2) on the lab's Docker hosts (tests/live/lab), component against
 * the same containers started by hand (handRun.ts), side by side in one run:
 *  1. time to healthy: from start to the first moment `etcdctl endpoint health --cluster` (root namespace,
 *     polled every 100 ms by this driver for both variants) passes; for the component also when its deploy
 *     returned (its health check noticed), and the difference, the check's polling latency.
 *  2. throughput: `etcdctl check perf --load=s` and a fixed put/get load (load.ts) against each cluster.
 *  Each deployed cluster (component and bare) then gets a `pulumi preview` of the same program, timed: what a
 *  no-change preview costs, the component's survey of the running members included.
 * Everything it creates is named `bench-…`, uses ports 4000–4999 and is removed (also leftovers at start).
 *   BENCH_RUNS (default 5) runs per variant and size; BENCH_PERF_ROUNDS (default 2); BENCH_ETCD (default 3.6);
 *   BENCH_LOAD_REQUESTS (default 4000) per op; BENCH_LOAD_CONCURRENCY (default 32).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { performance } from "perf_hooks";
import { randomBytes } from "crypto";
import { EtcdCluster } from "../components/resources/etcdCluster";
import { planCluster } from "../components/plan/cluster";
import { clusterAccess } from "../components/scripts/access";
import { healthCheckScript, healthCheckSpec } from "../components/scripts/healthCheck";
import { resolveClusterArgs } from "../components/resolve/cluster";
import { RealDeployer } from "../tests/live/pulumi/realDeployer";
import { engineLine, image } from "./day2Lab";
import { run } from "../providers/exec";
import { readLab } from "../tests/live/lab";
import { componentArgs } from "./componentProgram";
import { bareProgram } from "./bareProgram";
import { handRunScript } from "./handRun";
import { runLoad } from "./load";
import { HealthyRun, LatencyRun, liveReport, PerfResult, Variant } from "./liveReport";
import { benchCluster, BenchCluster } from "./topology";
import { firstHealthy, fmt, log, machine, runDriver } from "./common";

const lab = readLab();
const runs = Number(process.env.BENCH_RUNS ?? 5);
const perfRounds = Number(process.env.BENCH_PERF_ROUNDS ?? 2);
const loadRequests = Number(process.env.BENCH_LOAD_REQUESTS ?? 4000);
const loadConcurrency = Number(process.env.BENCH_LOAD_CONCURRENCY ?? 32);
const hostUrls = lab.hosts.map((h) => h.dockerHost);
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "etcd-bench-"));
/** Both variants use the same ports (they never run at the same time), so their settings compare 1:1. */
const basePort = 4000;

const docker = (host: string, ...args: string[]) => run("docker", ["-H", host, ...args], { timeoutMs: 120_000 });

/** Removes every `bench-` container and volume on every lab host (this run's or an interrupted one's). */
async function cleanup(): Promise<void> {
    await Promise.all(hostUrls.map(async (h) => {
        const names = (await docker(h, "ps", "-a", "--format", "{{.Names}}")).stdout.split("\n").filter((n) => n.startsWith("bench-"));
        if (names.length) await docker(h, "rm", "-f", "-v", ...names);
        const vols = (await docker(h, "volume", "ls", "--format", "{{.Name}}")).stdout.split("\n").filter((n) => n.startsWith("bench-"));
        if (vols.length) await docker(h, "volume", "rm", "-f", ...vols);
    }));
}

function endpointsOf(c: BenchCluster): string[] {
    return c.members.map((m) => `http://${lab.hosts[m.hostIndex].address}:${m.clientPort}`);
}


function clusterFor(variant: Variant, members: number, hosts: number): BenchCluster {
    return benchCluster(`bench-${variant === "component" ? "comp" : variant}`, 0, members, hosts, basePort);
}

/**
 * The bare @pulumi/docker program (bareProgram.ts) through the same real engine: the same resource graph
 * minus the component's own parts (validation, random token, health check). Separates what the component
 * costs from what any Pulumi program deployed this way costs.
 */
async function deployBare(c: BenchCluster): Promise<{ deployer: RealDeployer; healthyMs: number; doneMs: number; previewMs: number }> {
    const t0 = performance.now();
    const deployer = new RealDeployer({ skipNoChangeChecks: true });
    const healthy = firstHealthy(endpointsOf(c), t0, 180_000);
    const program = () => bareProgram([c], hostUrls, image, lab.hosts.map((h) => h.address));
    await deployer.deploy(c.name, program);
    const doneMs = performance.now() - t0;
    return { deployer, healthyMs: await healthy, doneMs, previewMs: await timedPreview(deployer, c, program) };
}

/** A `pulumi preview` of the program just deployed: its time, and a check that the engine saw nothing to change. */
async function timedPreview(deployer: RealDeployer, c: BenchCluster, program: () => unknown): Promise<number> {
    const t0 = performance.now();
    const steps = await deployer.preview(c.name, program as never);
    const ms = performance.now() - t0;
    const changes = steps.filter((st) => st.op !== "same");
    if (changes.length) throw new Error(`a preview right after the deployment of ${c.name} wants changes: ${changes.map((st) => `${st.op} ${st.urn}`).join(", ")}`);
    return ms;
}

async function deployComponent(c: BenchCluster): Promise<{ deployer: RealDeployer; healthyMs: number; doneMs: number; startedMs: number; report: string; previewMs: number }> {
    let checkStart = NaN;
    const t0 = performance.now();
    const deployer = new RealDeployer({
        skipNoChangeChecks: true,
        onEvent: (e) => {
            const line = engineLine(e) ?? "";
            if (/^command \S+-health: create/.test(line)) checkStart = performance.now() - t0;
            if (process.env.BENCH_VERBOSE && line) log(line);
        },
    });
    const healthy = firstHealthy(endpointsOf(c), t0, 180_000);
    const program = () => {
        const cluster = new EtcdCluster(c.name, componentArgs(c, hostUrls, image));
        return { report: cluster.healthReport };
    };
    const out = await deployer.deploy(c.name, program);
    const doneMs = performance.now() - t0;
    return { deployer, healthyMs: await healthy, doneMs, startedMs: checkStart, report: String(out.report), previewMs: await timedPreview(deployer, c, program) };
}

async function deployHand(c: BenchCluster, poll = true): Promise<{ healthyMs: number; doneMs: number; startedMs: number; script: string }> {
    const plan = planCluster(resolveClusterArgs(c.name, componentArgs(c, hostUrls, image)));
    const script = handRunScript(plan, image, `${c.name}-${randomBytes(8).toString("hex")}`, "unless-stopped", poll);
    const file = path.join(workDir, `${c.name}-${c.members.length}.sh`);
    fs.writeFileSync(file, script, { mode: 0o755 });
    const epoch0 = Date.now();
    const t0 = performance.now();
    const healthy = firstHealthy(endpointsOf(c), t0, 180_000);
    const r = await run("sh", [file], { timeoutMs: 240_000 });
    const doneMs = performance.now() - t0;
    if (r.code !== 0) throw new Error(`hand-run script ${file} failed (${r.code}): ${r.stderr}`);
    const started = /members started: ([\d.]+)/.exec(r.stdout);
    return { healthyMs: await healthy, doneMs, startedMs: started ? Number(started[1]) * 1000 - epoch0 : NaN, script };
}

async function timeToHealthy(variant: Variant, members: number, hosts: number): Promise<HealthyRun> {
    const c = clusterFor(variant, members, hosts);
    if (variant === "bare") {
        const d = await deployBare(c);
        const t = performance.now();
        await d.deployer.destroy();
        await cleanup();
        return { variant, members, healthyMs: d.healthyMs, doneMs: d.doneMs, startedMs: NaN, teardownMs: performance.now() - t, previewMs: d.previewMs };
    }
    if (variant === "component") {
        const d = await deployComponent(c);
        const t = performance.now();
        await d.deployer.destroy();
        await cleanup();
        const attempts = /attempt (\d+)\)/.exec(d.report);
        return { variant, members, healthyMs: d.healthyMs, doneMs: d.doneMs, startedMs: d.startedMs,
            attempts: attempts ? Number(attempts[1]) : undefined, teardownMs: performance.now() - t, previewMs: d.previewMs };
    }
    const h = await deployHand(c);
    const t = performance.now();
    await cleanup();
    return { variant, members, healthyMs: h.healthyMs, doneMs: h.doneMs, startedMs: h.startedMs, teardownMs: performance.now() - t, previewMs: NaN };
}

/**
 * The component's health check alone, without the engine's overheads: members started by hand, then
 * the component's own check script (same spec as the component renders) started at once, as the engine starts
 * it right after the last container; how long after the cluster is healthy the check notices.
 */
async function checkLatency(maxDelaySeconds: number | undefined, members: number, hosts: number): Promise<LatencyRun> {
    const c = clusterFor("hand", members, hosts);
    const plan = planCluster(resolveClusterArgs(c.name, componentArgs(c, hostUrls, image)));
    const spec = { ...healthCheckSpec(clusterAccess(c.name, plan), plan, 120), maxDelaySeconds };
    const check = healthCheckScript(spec);
    try {
        const script = handRunScript(plan, image, `${c.name}-${randomBytes(8).toString("hex")}`, "unless-stopped", false);
        const file = path.join(workDir, `${c.name}-nopoll.sh`);
        fs.writeFileSync(file, script, { mode: 0o755 });
        const t0 = performance.now();
        const healthy = firstHealthy(endpointsOf(c), t0, 180_000);
        const r = await run("sh", [file], { timeoutMs: 240_000 });
        if (r.code !== 0) throw new Error(`hand-run script failed: ${r.stderr}`);
        const chk = await run("/bin/sh", ["-c", check], { timeoutMs: 180_000 });
        const noticedMs = performance.now() - t0;
        if (chk.code !== 0) throw new Error(`health check failed: ${chk.stderr}`);
        const t1 = performance.now();
        await run("/bin/sh", ["-c", check], { timeoutMs: 180_000 });
        const floorMs = performance.now() - t1;
        const attempts = /attempt (\d+)\)/.exec(chk.stdout);
        return { maxDelay: maxDelaySeconds === undefined ? "default" : String(maxDelaySeconds), healthyMs: await healthy, noticedMs,
            attempts: attempts ? Number(attempts[1]) : NaN, floorMs };
    } finally {
        await cleanup();
    }
}

/** The settings of member 1 that could make a cluster slower, normalised so the two variants compare. */
async function memberSettings(c: BenchCluster): Promise<Record<string, string>> {
    const m = c.members[0];
    const r = await docker(hostUrls[m.hostIndex], "inspect", m.name);
    const i = JSON.parse(r.stdout)[0];
    const norm = (s: string) => s.replace(/bench-(comp|hand)/g, "bench-X");
    const env = (i.Config.Env as string[]).filter((e) => e.startsWith("ETCD_") && !e.startsWith("ETCD_INITIAL_CLUSTER_TOKEN=")).map(norm).sort();
    return {
        image: i.Config.Image,
        networkMode: i.HostConfig.NetworkMode,
        mounts: (i.Mounts as any[]).map((x) => `${x.Type}:${norm(String(x.Name ?? x.Source))}->${x.Destination}`).join(" "),
        logConfig: JSON.stringify(i.HostConfig.LogConfig),
        restart: JSON.stringify(i.HostConfig.RestartPolicy),
        resources: JSON.stringify({ cpu: i.HostConfig.NanoCpus, shares: i.HostConfig.CpuShares, mem: i.HostConfig.Memory, ulimits: i.HostConfig.Ulimits }),
        healthcheck: JSON.stringify(i.Config.Healthcheck ?? null),
        stopTimeout: String(i.Config.StopTimeout),
        env: env.join(" "),
    };
}

async function throughput(variant: "component" | "hand", members: number, hosts: number): Promise<PerfResult> {
    const c = clusterFor(variant, members, hosts);
    let deployer: RealDeployer | undefined;
    if (variant === "component") deployer = (await deployComponent(c)).deployer;
    else await deployHand(c);
    try {
        const settings = await memberSettings(c);
        const eps = endpointsOf(c);
        log(`${variant}: etcdctl check perf --load=s (60 s)`);
        const perf = await run("etcdctl", [`--endpoints=${eps.join(",")}`, "check", "perf", "--load=s"], { timeoutMs: 180_000 });
        const text = perf.stdout + perf.stderr;
        const num = (re: RegExp) => { const m = re.exec(text); return m ? Number(m[1]) : NaN; };
        log(`${variant}: fixed load, ${loadRequests} puts and ${loadRequests} gets at concurrency ${loadConcurrency}`);
        const put = await runLoad(eps, "put", loadRequests, loadConcurrency);
        const get = await runLoad(eps, "get", loadRequests, loadConcurrency);
        return {
            variant, settings, put, get, perfPass: perf.code === 0,
            throughput: num(/Throughput is (\d+(?:\.\d+)?) writes\/s/), slowestS: num(/Slowest request took (\d+(?:\.\d+)?)s/), stddevS: num(/Stddev is (\d+(?:\.\d+)?)s/),
        };
    } finally {
        if (deployer) await deployer.destroy().catch(() => undefined);
        await cleanup();
    }
}

async function main(): Promise<void> {
    const started = performance.now();
    log(`lab: ${lab.hosts.length} hosts, image ${image}; work dir ${workDir}`);
    await cleanup();
    const sizes: [number, number][] = [[3, Math.min(3, lab.hosts.length)], [5, Math.min(5, lab.hosts.length)]];

    // Warm-up (ssh control masters, page cache, image layers): one of each, not counted.
    await timeToHealthy("component", 3, sizes[0][1]);
    await timeToHealthy("hand", 3, sizes[0][1]);

    const healthRuns: HealthyRun[] = [];
    for (let r = 0; r < runs; r++) {
        for (const [members, hosts] of sizes) {
            const order: Variant[] = r % 2 === 0 ? ["component", "bare", "hand"] : ["hand", "bare", "component"];
            for (const v of order) {
                const x = await timeToHealthy(v, members, hosts);
                healthRuns.push(x);
                log(`time to healthy ${v} ${members} members: healthy ${fmt(x.healthyMs / 1000)} s, done ${fmt(x.doneMs / 1000)} s` +
                    (x.attempts ? `, check attempt ${x.attempts}` : "") + (Number.isNaN(x.previewMs) ? "" : `, no-change preview ${fmt(x.previewMs / 1000)} s`) +
                    `, teardown ${fmt(x.teardownMs / 1000)} s`);
            }
        }
    }

    const latencyRuns: LatencyRun[] = [];
    for (let r = 0; r < runs; r++) {
        for (const maxDelay of r % 2 === 0 ? [undefined, 1] : [1, undefined]) {
            const x = await checkLatency(maxDelay, 3, sizes[0][1]);
            latencyRuns.push(x);
            log(`health check alone (max delay ${x.maxDelay}): healthy ${fmt(x.healthyMs / 1000)} s, noticed ${fmt(x.noticedMs / 1000)} s ` +
                `(attempt ${x.attempts}), floor ${fmt(x.floorMs / 1000)} s`);
        }
    }

    const perfResults: PerfResult[] = [];
    for (let r = 0; r < perfRounds; r++) {
        const order: ("component" | "hand")[] = r % 2 === 0 ? ["component", "hand"] : ["hand", "component"];
        for (const v of order) {
            const p = await throughput(v, 3, sizes[0][1]);
            perfResults.push(p);
            log(`throughput ${v}: check perf ${p.throughput} w/s (slowest ${p.slowestS} s), put ${fmt(p.put.opsPerSec, 0)}/s p99 ${fmt(p.put.p99Ms)} ms, ` +
                `get ${fmt(p.get.opsPerSec, 0)}/s p99 ${fmt(p.get.p99Ms)} ms`);
        }
    }

    const hand3 = fs.readdirSync(workDir).filter((f) => f.endsWith("-3.sh"))[0];
    const out = liveReport({ image, machine: machine(), labHosts: lab.hosts.length, runs, perfRounds, loadRequests, loadConcurrency, sizes, healthRuns,
        latencyRuns, perfResults, totalS: (performance.now() - started) / 1000 });
    process.stdout.write(out + "\n");
    if (hand3) process.stderr.write(`\nThe hand-run script (3 members), as generated:\n${fs.readFileSync(path.join(workDir, hand3), "utf8")}\n`);
}

runDriver(main, cleanup, workDir, "bench- containers and volumes");
