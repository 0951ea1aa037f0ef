/**
 * Snapshot and restore time against data size, on the live lab (3 members on 3 hosts): for each size, the time of the
 * component's own snapshot step (the script it runs before a change of the members, run on its own), and the time to
 * deploy a new cluster from that snapshot (`restore`) against deploying the same cluster empty, in one run.
 *   BENCH_BACKUP_MB=10,200 (default)  BENCH_ETCD (default 3.6)  BENCH_RUNS=1 (default here)
 */
import * as fs from "fs";
import * as path from "path";
import { performance } from "perf_hooks";
import { planCluster } from "../components/plan/cluster";
import { resolveClusterArgs } from "../components/resolve/cluster";
import { clusterAccess } from "../components/scripts/access";
import { snapshotScript } from "../components/scripts/snapshot";
import { run } from "../providers/exec";
import { fmt, log, machine, median, runDriver, table } from "./common";
import { argsFor, cleanup, deployCluster, endpointsOf, newDeployer, prefix, series, status, workDir, writeData } from "./day2Lab";
import { benchCluster } from "./topology";

const sizes = (process.env.BENCH_BACKUP_MB ?? "10,200").split(",").map(Number);
const runs = Number(process.env.BENCH_RUNS ?? 1);

/** Runs the component's pre-change snapshot script for cluster `c` as it would, into `dir`; seconds and the file. */
async function snapshot(c: ReturnType<typeof benchCluster>, dir: string): Promise<{ seconds: number; file: string }> {
    const resolved = resolveClusterArgs(c.name, argsFor(c));
    const plan = planCluster(resolved);
    const script = snapshotScript({ ...clusterAccess(c.name, plan), directory: dir });
    const t = performance.now();
    const r = await run("sh", ["-c", script], { timeoutMs: 600_000 });
    const seconds = (performance.now() - t) / 1000;
    if (r.code !== 0) throw new Error(`snapshot failed: ${r.stderr}`);
    const file = /^snapshot .* path=(.+)$/m.exec(r.stdout)![1];
    return { seconds, file };
}

async function timedDeploy(c: ReturnType<typeof benchCluster>, extra: Parameters<typeof deployCluster>[2] = {}): Promise<number> {
    const d = newDeployer();
    const t = performance.now();
    await deployCluster(d, c, extra);
    const seconds = (performance.now() - t) / 1000;
    await d.deployer.destroy();
    return seconds;
}

async function main(): Promise<void> {
    const rows: (string | number)[][] = [];
    for (const mb of sizes) {
        const samples: { db: number; snap: number; file: number; empty: number; restored: number }[] = [];
        for (let i = 0; i < runs; i++) {
            await cleanup();
            const source = benchCluster(`${prefix}bk`, 1, 3, 3, 41000);
            const d = newDeployer();
            await deployCluster(d, source);
            const wrote = await writeData(endpointsOf(source), mb);
            const db = Math.max(...(await status(endpointsOf(source))).map((s) => s.dbSize)) / 2 ** 20;
            log(`${mb} MB: wrote ${wrote.puts} puts in ${fmt(wrote.seconds, 1)} s, db ${fmt(db, 0)} MiB`);
            const snap = await snapshot(source, path.join(workDir, "bench-snapshots"));
            const size = fs.statSync(snap.file).size / 2 ** 20;
            log(`${mb} MB: snapshot ${fmt(snap.seconds, 1)} s, ${fmt(size, 0)} MiB`);
            await d.deployer.destroy();
            await cleanup();
            const target = benchCluster(`${prefix}rs`, 2, 3, 3, 41000);
            const empty = await timedDeploy(target, { dataVolumes: { onDestroy: "delete" } });
            await cleanup();
            const restored = await timedDeploy(target, { restore: { snapshot: snap.file }, dataVolumes: { onDestroy: "delete" } });
            log(`${mb} MB: deploy empty ${fmt(empty, 1)} s, from the snapshot ${fmt(restored, 1)} s`);
            samples.push({ db, snap: snap.seconds, file: size, empty, restored });
            fs.rmSync(snap.file, { force: true });
        }
        const m = (k: keyof (typeof samples)[number]) => median(samples.map((s) => s[k]));
        rows.push([`~${mb} MB`, fmt(m("db"), 0), fmt(m("file"), 0), fmt(m("snap"), 1), fmt(m("empty"), 1), fmt(m("restored"), 1), fmt(m("restored") - m("empty"), 1)]);
    }
    process.stdout.write(`### Snapshot and restore against data size (etcd ${series}, 3 members on 3 lab hosts, medians of ${runs})\n\n` +
        table(["data", "db, MiB", "snapshot file, MiB", "snapshot step, s", "deploy empty, s", "deploy from snapshot, s", "restore adds, s"], rows) +
        `\n${machine()}\n`);
}

runDriver(main, cleanup, workDir, "the bench-d2- containers and volumes");
