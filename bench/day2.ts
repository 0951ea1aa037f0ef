/**
 * Day-2 benchmarks on the lab's Docker hosts (tests/live/lab), through the real Pulumi engine (tests/live/pulumi):
 *  1. scale-out 3 → 4: a 3-member cluster (h1..h3) gets a 4th member on h4; the time of that `deploy()` (the new
 *     member joined as a learner, promoted, its gate and the cluster health check passed) and, from the deployer's
 *     log, how long the join → container → promote → gate part took. An empty cluster and one holding ~100 MB
 *     (BENCH_DATA_MB), both kept up for the whole part and interleaved run by run; between runs the 4th member is
 *     removed again by a 4 → 3 deploy (timed too), so every scale-out starts a fresh member on a fresh volume. Each
 *     scale-out runs under the write load of part 2 on the first three members: its longest write gap.
 *  2. a rolling change vs replacing all three members at once, side by side, both under a steady write load
 *     (tests/live/writeLoad.ts, one put at a time round-robin over the members) and a cluster observer
 *     (tests/live/clusterObserver.ts): (a) the component rolling `tuning.snapshotCount` (toggled 10000 ↔ 20000
 *     every run) on its cluster; (b) a hand-run cluster (handRun.ts, the same plan) getting the same change by
 *     `docker rm -f` of all three containers and `docker run` of all three again, same names, volumes and env.
 * Everything it creates is named `bench-d2-…`, uses ports 4200–4269 and is removed (also leftovers at start).
 *   BENCH_RUNS (default 3); BENCH_ETCD (the component's default line, 3.6, unless told); BENCH_DATA_MB (default 100); BENCH_VERBOSE (deployer log).
 */
import * as path from "path";
import { performance } from "perf_hooks";
import { randomBytes } from "crypto";
import { planCluster } from "../components/plan/cluster";
import { resolveClusterArgs } from "../components/resolve/cluster";
import { run } from "../providers/exec";
import { fork } from "child_process";
import type { LoadReport } from "./day2Load";
import { handRunScript } from "./handRun";
import { benchCluster, BenchCluster } from "./topology";
import { argsFor, at, cleanup, dataMb, deployCluster, docker, endpointsOf, hostUrls, image, lab, Logged, memberList, newDeployer, prefix, runs, status, sub, workDir, writeData } from "./day2Lab";
import { firstHealthy, fmt, log, machine, median, ratio, runDriver, sleep, table } from "./common";

interface ScaleRun {
    label: "empty" | "data";
    run: number;
    /** deploy() 3 → 4, start to return. */
    outMs: number;
    /** From the deployer's log: the new member's join command started → the cluster health check started (its gate passed). */
    joinToGateMs: number;
    /** Parts of it: join started → container create, container create → promote started, promote → gate started, gate → health started. */
    parts: number[];
    /** deploy() 4 → 3. */
    inMs: number;
    /** The new member's db size after the scale-out, and the cluster's (member 1). */
    newDbMb: number;
    dbMb: number;
    members: string;
    /** The write load on the first three members during the 3 → 4 deploy: its longest gap, acknowledged and lost writes. */
    gapMs: number;
    acked: number;
    lost: number;
}

async function scaleOut(label: ScaleRun["label"], d: Logged, c: BenchCluster, r: number): Promise<ScaleRun> {
    const n4 = `${c.name}-${c.members[3].name}`; // the member's resources are named <cluster>-<member>-…
    let t0 = NaN;
    let outMs = NaN;
    const load = await underLoad(sub(c, 3), `/bench/scale/${label}${r}/`, async () => {
        t0 = performance.now();
        await deployCluster(d, c);
        outMs = performance.now() - t0;
        return {};
    });
    if (load.error) throw new Error(load.error);
    const tJoin = at(d.lines, t0, new RegExp(`command ${n4}-join: create`));
    const tCtr = at(d.lines, t0, new RegExp(`create container ${c.members[3].name} `));
    const tPromote = at(d.lines, t0, new RegExp(`command ${n4}-promote: create`));
    const tGate = at(d.lines, t0, new RegExp(`command ${n4}-gate: create`));
    const tHealth = at(d.lines, t0, new RegExp(`command ${c.name}-health: create`));
    const st = await status(endpointsOf(c));
    const members = (await memberList(endpointsOf(c))).join(", ");
    // etcd refuses a member removal asked through a member whose peers have not been connected for 5 s
    // ("etcdserver: unhealthy cluster", strict reconfig check): the leave script then retries. Right after the
    // scale-out that cost 2-3 s of the 4 → 3 deploy; scale in a member that has been up a while, as in real use.
    await sleep(Math.max(0, 6_000 - (performance.now() - t0 - outMs)));
    const t1 = performance.now();
    await deployCluster(d, sub(c, 3));
    const inMs = performance.now() - t1;
    const x: ScaleRun = {
        label, run: r, outMs, joinToGateMs: tHealth - tJoin, parts: [tCtr - tJoin, tPromote - tCtr, tGate - tPromote, tHealth - tGate],
        inMs, newDbMb: st[3].dbSize / 2 ** 20, dbMb: st[0].dbSize / 2 ** 20, members, gapMs: load.longestGapMs, acked: load.acked, lost: load.lost,
    };
    log(`scale-out ${label} run ${r + 1}: 3→4 ${fmt(outMs / 1000)} s (join→gate passed ${fmt(x.joinToGateMs / 1000)} s: ` +
        `${x.parts.map((p) => fmt(p / 1000)).join(" / ")}), new member db ${fmt(x.newDbMb, 1)} MiB; 4→3 ${fmt(inMs / 1000)} s; members: ${members}; ` +
        `writes ${x.acked} acked, ${x.lost} lost, longest gap ${x.gapMs} ms`);
    return x;
}

// ------------------------------------------------------------------ 2. rolling vs all at once

interface ChangeRun {
    variant: "rolling" | "all-at-once";
    run: number;
    /** (a) deploy() start to return; (b) rm -f started → `endpoint health --cluster` passed. */
    totalMs: number;
    /** (a) per member, in the order the deployer took them: gate delete (hand-over) → the next boundary. */
    perMemberMs: number[];
    /** (a) container stop started → new container started, per member; (b) rm -f started → the last docker run returned. */
    downMs: number[];
    /** (b) rm -f started → first `endpoint health --cluster` pass. */
    healthyMs: number;
    /** (a) deploy start → first hand-over (program, survey, pre-rollout snapshot); last gate → deploy returned (health check). */
    beforeMs?: number;
    afterMs?: number;
    /** (a) the members in rollout order (the leader at the start is the last one). */
    order?: string[];
    /** Where the longest write gap fell: "n2 (3rd)" while that member was being replaced, "before"/"after", or (b) ms after rm -f. */
    gapAt?: string;
    acked: number;
    failed: number;
    longestGapMs: number;
    lost: number;
    seen: Pick<LoadReport, "minHealthy" | "leaderChanges" | "termIncrease">;
    error?: string;
}

type Changed = Partial<Omit<ChangeRun, "gapAt">> & { gapAt?: (gapStartPerf: number) => string };

async function underLoad(c: BenchCluster, key: string, change: () => Promise<Changed>): Promise<Omit<ChangeRun, "variant" | "run">> {
    // The load and the observer in a child process (day2Load.ts): this process's program evaluation would stall them.
    const child = fork(path.join(__dirname, "day2Load.js"), [JSON.stringify({ endpoints: endpointsOf(c), prefix: key, maxMs: 300_000 })],
        { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    const messages: unknown[] = [];
    child.on("message", (m) => messages.push(m));
    const next = async (what: string, timeoutMs: number) => {
        const until = performance.now() + timeoutMs;
        while (messages.length === 0) {
            if (performance.now() > until || child.exitCode !== null) { child.kill("SIGKILL"); throw new Error(`load process: no ${what} within ${timeoutMs} ms`); }
            await sleep(20);
        }
        return messages.shift();
    };
    await next("start", 30_000);
    await sleep(1_500);
    let res: Changed = {};
    let error: string | undefined;
    try { res = await change(); } catch (e) { error = e instanceof Error ? e.message : String(e); }
    await sleep(1_500);
    child.send("stop");
    const writes = (await next("report", 60_000)) as LoadReport;
    // The gap's start in performance.now() time (the load keeps epoch ms).
    const gapStart = writes.longestGapEndedAt - writes.longestGapMs - performance.timeOrigin;
    return {
        totalMs: NaN, perMemberMs: [], downMs: [], healthyMs: NaN, ...res, gapAt: res.gapAt?.(gapStart),
        acked: writes.acked, failed: writes.failed, longestGapMs: writes.longestGapMs, lost: writes.lost, seen: writes, error,
    };
}

async function rolling(d: Logged, c: BenchCluster, snapshotCount: number, r: number): Promise<ChangeRun> {
    const x = await underLoad(c, `/bench/roll/a${r}/`, async () => {
        const t0 = performance.now();
        await deployCluster(d, c, { tuning: { snapshotCount } });
        const t1 = performance.now();
        // Boundaries: each member's gate delete (its hand-over, then its container goes), in order; the end is the health check's start.
        const order = d.lines.filter((l) => l.t >= t0 && /command \S+-gate: delete/.test(l.line));
        const end = at(d.lines, t0, new RegExp(`command ${c.name}-health: create`));
        const bounds = [...order.map((l) => l.t), Number.isFinite(end) ? end : t1];
        const perMemberMs = order.map((_, i) => bounds[i + 1] - bounds[i]);
        const downMs = c.members.map((m) => at(d.lines, t0, new RegExp(`start container ${m.name}$`)) - at(d.lines, t0, new RegExp(`(stop|remove) container ${m.name}\\b`)));
        const names = order.map((l) => (/command (\S+)-gate/.exec(l.line)?.[1] ?? "?").replace(`${c.name}-${c.name}-`, ""));
        return { totalMs: t1 - t0, perMemberMs, downMs, beforeMs: bounds[0] - t0, afterMs: t1 - bounds[bounds.length - 1], order: names,
            gapAt: (g: number) => {
                const snap = at(d.lines, t0, new RegExp(`command ${c.name}-rollout-snapshot: create`));
                const k = bounds.findIndex((b, i) => i + 1 < bounds.length && g >= b && g < bounds[i + 1]);
                const where = g < t0 ? "before the deploy" : g < snap ? "program + survey" : g < bounds[0] ? (Number.isFinite(snap) ? "pre-rollout snapshot" : "program + survey") :
                    k >= 0 ? `replacing ${names[k]} (${k + 1}. of ${names.length})` : g < t1 ? "health check" : "after the deploy";
                return `${where}, ${g >= t0 ? "+" : "−"}${fmt(Math.abs(g - t0) / 1000)} s`;
            } };
    });
    return { variant: "rolling", run: r, ...x };
}

/** The hand-run cluster's `docker run` lines (one per member) for a snapshot count, from the component's plan. */
function handLines(c: BenchCluster, snapshotCount: number, token: string): string[] {
    const plan = planCluster(resolveClusterArgs(c.name, argsFor(c, { tuning: { snapshotCount } })));
    return handRunScript(plan, image, token, "unless-stopped", false).split("\n").filter((l) => l.startsWith("docker "));
}

async function allAtOnce(c: BenchCluster, snapshotCount: number, token: string, r: number): Promise<ChangeRun> {
    const lines = handLines(c, snapshotCount, token);
    const x = await underLoad(c, `/bench/roll/b${r}/`, async () => {
        const t0 = performance.now();
        const rm = await Promise.all(c.members.map((m) => docker(hostUrls[m.hostIndex], "rm", "-f", m.name)));
        const runs = await Promise.all(lines.map((l) => run("sh", ["-c", l], { timeoutMs: 120_000 })));
        const t1 = performance.now();
        const bad = [...rm, ...runs].find((p) => p.code !== 0);
        if (bad) throw new Error(`docker rm/run failed: ${bad.stderr.trim()}`);
        const healthyMs = await firstHealthy(endpointsOf(c), t0, 120_000);
        return { totalMs: healthyMs, healthyMs, downMs: [t1 - t0], gapAt: (g: number) => `${fmt((g - t0) / 1000)} s after rm -f` };
    });
    return { variant: "all-at-once", run: r, ...x };
}

async function main(): Promise<void> {
    const started = performance.now();
    if (lab.hosts.length < 4) throw new Error(`the day-2 bench needs 4 lab hosts, the lab has ${lab.hosts.length}: LAB_HOSTS=5 npm run lab:up`);
    log(`lab: ${lab.hosts.length} hosts, image ${image}; ${runs} runs; work dir ${workDir}`);
    await cleanup();

    // ---------------------------------------------------------------- 1. scale-out
    const empty = benchCluster(`${prefix}empty`, 0, 4, 4, 4200);
    const full = benchCluster(`${prefix}data`, 0, 4, 4, 4220);
    const scaleD = newDeployer();
    let t = performance.now();
    await deployCluster(scaleD, sub(empty, 3));
    await deployCluster(scaleD, sub(full, 3));
    log(`two 3-member clusters up in ${fmt((performance.now() - t) / 1000)} s; writing ~${dataMb} MB into ${full.name}`);
    const wrote = await writeData(endpointsOf(sub(full, 3)), dataMb);
    const before = await status(endpointsOf(sub(full, 3)));
    log(`wrote ${wrote.puts} × 100 KiB in ${fmt(wrote.seconds, 1)} s (${wrote.failed} failed); db sizes ${before.map((s) => fmt(s.dbSize / 2 ** 20, 1)).join(", ")} MiB`);

    const scaleRuns: ScaleRun[] = [];
    // Warm-up, not counted: the first scale-out of a session pays for h4's ssh connection and the image inspect.
    await scaleOut("empty", scaleD, empty, -1);
    for (let r = 0; r < runs; r++) {
        const order: [ScaleRun["label"], BenchCluster][] = r % 2 === 0 ? [["empty", empty], ["data", full]] : [["data", full], ["empty", empty]];
        for (const [label, c] of order) scaleRuns.push(await scaleOut(label, scaleD, c, r));
    }
    t = performance.now();
    await scaleD.deployer.destroy().catch((e) => log(`destroy: ${e}`));
    await cleanup();
    log(`scale-out part done; teardown ${fmt((performance.now() - t) / 1000)} s`);

    // ---------------------------------------------------------------- 2. rolling vs all at once
    const comp = benchCluster(`${prefix}roll`, 0, 3, 3, 4240);
    const hand = benchCluster(`${prefix}hand`, 0, 3, 3, 4260);
    const rollD = newDeployer();
    const token = `${hand.name}-${randomBytes(8).toString("hex")}`;
    const counts = [10_000, 20_000];
    await deployCluster(rollD, comp, { tuning: { snapshotCount: counts[0] } });
    const boot = await Promise.all(handLines(hand, counts[0], token).map((l) => run("sh", ["-c", l], { timeoutMs: 120_000 })));
    if (boot.some((b) => b.code !== 0)) throw new Error(`hand-run cluster: ${boot.map((b) => b.stderr.trim()).join(" ")}`);
    if (Number.isNaN(await firstHealthy(endpointsOf(hand), performance.now(), 120_000))) throw new Error("hand-run cluster did not become healthy");
    log("rolling part: component cluster and hand-run cluster up");

    const changeRuns: ChangeRun[] = [];
    for (let r = 0; r < runs; r++) {
        const count = counts[(r + 1) % 2];
        const order = r % 2 === 0 ? ["rolling", "all-at-once"] : ["all-at-once", "rolling"];
        for (const v of order) {
            const x = v === "rolling" ? await rolling(rollD, comp, count, r) : await allAtOnce(hand, count, token, r);
            changeRuns.push(x);
            log(`${v} run ${r + 1} (snapshotCount ${count}): total ${fmt(x.totalMs / 1000)} s` +
                (x.perMemberMs.length ? ` (before ${fmt(x.beforeMs! / 1000)} s, per member ${x.order!.map((n, i) => `${n} ${fmt(x.perMemberMs[i] / 1000)}`).join(" / ")} s, after ${fmt(x.afterMs! / 1000)} s)` : "") +
                `, down ${x.downMs.map((m) => fmt(m / 1000)).join(" / ")} s; writes ${x.acked} acked, ${x.failed} failed, ` +
                `longest gap ${x.longestGapMs} ms (${x.gapAt}), lost ${x.lost}; min healthy ${x.seen.minHealthy}, leader changes ${x.seen.leaderChanges}, ` +
                `term +${x.seen.termIncrease}${x.error ? `; ERROR ${x.error}` : ""}`);
        }
    }
    await rollD.deployer.destroy().catch((e) => log(`destroy: ${e}`));
    await cleanup();

    // ------------------------------------------------------------------ report
    const s = (ms: number) => fmt(ms / 1000, 2);
    const range = (xs: number[], f = s) => `${f(median(xs))} (${f(Math.min(...xs))}–${f(Math.max(...xs))})`;
    const scaleRows = (["empty", "data"] as const).map((label) => {
        const xs = scaleRuns.filter((x) => x.label === label);
        return [
            label === "empty" ? "empty" : `~${dataMb} MB (${fmt(median(xs.map((x) => x.dbMb)), 0)} MiB db)`,
            String(xs.length),
            range(xs.map((x) => x.outMs)),
            range(xs.map((x) => x.joinToGateMs)),
            [0, 1, 2, 3].map((i) => s(median(xs.map((x) => x.parts[i])))).join(" / "),
            fmt(median(xs.map((x) => x.newDbMb)), 1),
            range(xs.map((x) => x.inMs)),
            `${range(xs.map((x) => x.gapMs), (v) => fmt(v, 0))} (${xs.map((x) => x.lost).reduce((a, b) => a + b, 0)} lost of ${xs.map((x) => x.acked).reduce((a, b) => a + b, 0)})`,
        ];
    });
    const se = scaleRuns.filter((x) => x.label === "empty");
    const sd = scaleRuns.filter((x) => x.label === "data");
    const ca = changeRuns.filter((x) => x.variant === "rolling");
    const cb = changeRuns.filter((x) => x.variant === "all-at-once");
    const ms = (x: number) => fmt(x, 0);
    const changeRow = (label: string, f: (x: ChangeRun) => string) => [label, ca.map(f).join("; "), cb.map(f).join("; ")];
    const gapA = median(ca.map((x) => x.longestGapMs));
    const gapB = median(cb.map((x) => x.longestGapMs));

    const out = [
        `### Day-2: scaling out and rolling changes, etcd ${image}`,
        "",
        `Machine: ${machine()}; lab hosts: ${lab.hosts.length} (network namespaces on this machine, reached over ssh).`,
        "",
        `#### Scale-out 3 → 4 members (h1..h3 + h4), medians (min–max) of ${runs} runs each, interleaved; seconds`,
        "",
        table(["cluster data", "runs", "deploy 3→4 (start → return)", "join → gate passed (deployer log)",
            "of which: join / container+start / promote / gate (medians)", "new member's db, MiB", "deploy 4→3 (scale back in)",
            "longest write gap during 3→4, ms (lost of acknowledged writes)"], scaleRows),
        "",
        `Data: ${wrote.puts} puts of 100 KiB random values through the JSON gateway (${fmt(wrote.seconds, 0)} s, ${wrote.failed} failed), ` +
        `db ${before.map((b) => fmt(b.dbSize / 2 ** 20, 0)).join("/")} MiB (endpoint status). Both clusters stay up for the whole part; each run ` +
        "adds the 4th member (a fresh volume) and removes it again (leave, container and volume deleted). " +
        `data/empty deploy ratio: ${ratio(median(sd.map((x) => x.outMs)), median(se.map((x) => x.outMs)))}; ` +
        `join→gate ratio: ${ratio(median(sd.map((x) => x.joinToGateMs)), median(se.map((x) => x.joinToGateMs)))}. ` +
        `Members after each scale-out: ${[...new Set(scaleRuns.map((x) => x.members.replace(/bench-d2-(empty|data)/g, "X")))].join(" | ")}.`,
        "",
        `#### A change to all three members under a steady write load: rolling (component) vs all at once (by hand), ${runs} runs each, interleaved`,
        "",
        table(["measure", "(a) component, rolling", "(b) hand, rm -f + docker run all three"], [
            changeRow("total, s (a: deploy start → return; b: rm -f → endpoint health --cluster passes)", (x) => s(x.totalMs)),
            changeRow("per member, s (a: hand-over → next member's hand-over, in rollout order)", (x) => x.perMemberMs.length ? x.perMemberMs.map((m, i) => `${x.order?.[i] ?? "?"} ${s(m)}`).join(" / ") : "–"),
            changeRow("member down, s (a: stop → new container started, per member; b: rm -f → last docker run returned)", (x) => x.downMs.map(s).join("/")),
            changeRow("longest gap between acknowledged writes, ms", (x) => ms(x.longestGapMs)),
            changeRow("longest gap began (a: phase of the deploy, from its start; b: after rm -f)", (x) => x.gapAt ?? "?"),
            changeRow("a: before the first member (program, survey, snapshot) / after the last gate (health check), s",
                (x) => x.beforeMs === undefined ? "–" : `${s(x.beforeMs)}/${s(x.afterMs!)}`),
            changeRow("writes acknowledged / failed attempts / lost", (x) => `${x.acked}/${x.failed}/${x.lost}`),
            changeRow("leader changes (term increase)", (x) => `${x.seen.leaderChanges} (+${x.seen.termIncrease})`),
            changeRow("fewest healthy members in a sample (of 3)", (x) => String(x.seen.minHealthy)),
            ["median longest gap, ms", ms(gapA), ms(gapB)],
            ["median total, s", s(median(ca.map((x) => x.totalMs))), s(median(cb.map((x) => x.totalMs)))],
        ]),
        "",
        `Longest-gap ratio, all at once / rolling: ${ratio(gapB, gapA)} (medians). Change: \`tuning.snapshotCount\` toggled ${counts.join(" ↔ ")} every run ` +
        "on both clusters. Load: one put at a time, round-robin over the three members, a new key each, 1.5 s before and after the change; " +
        "a failed put is retried at once on the next member (no pause of the load's own). The scale-out runs under the same load on the first three members. Observer: /health and /v3/maintenance/status of every member every 250 ms." +
        (changeRuns.some((x) => x.error) ? ` Errors: ${changeRuns.filter((x) => x.error).map((x) => `${x.variant} run ${x.run + 1}: ${x.error}`).join("; ")}` : ""),
        "",
        `Total bench:day2 time ${fmt((performance.now() - started) / 1000, 0)} s.`,
    ].join("\n");
    process.stdout.write(out + "\n");
}

runDriver(main, cleanup, workDir, `${prefix} containers and volumes`);
