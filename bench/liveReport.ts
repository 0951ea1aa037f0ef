/**
 * The report of bench/live.ts: what each run measured, and the markdown tables made of them.
 */
import type { LoadResult } from "./load";
import { fmt, median, ratio, table } from "./common";

export type Variant = "component" | "bare" | "hand";

export interface HealthyRun {
    variant: Variant;
    members: number;
    healthyMs: number;
    /** Component: deploy() returned. Hand: the script's own poll saw health and it exited. */
    doneMs: number;
    /** Component: its health check command started. Hand: the last docker run returned. */
    startedMs: number;
    attempts?: number;
    teardownMs: number;
    /** Component and bare: a no-change `pulumi preview` right after the deployment. */
    previewMs: number;
}

export interface LatencyRun {
    maxDelay: string;
    healthyMs: number;
    /** The component's health check exited 0. */
    noticedMs: number;
    attempts: number;
    /** The same check run again on the healthy cluster: its floor (two docker exec over ssh). */
    floorMs: number;
}

export interface PerfResult {
    variant: "component" | "hand";
    throughput: number;
    slowestS: number;
    stddevS: number;
    perfPass: boolean;
    put: LoadResult;
    get: LoadResult;
    settings: Record<string, string>;
}

export interface LiveRuns {
    image: string;
    machine: string;
    labHosts: number;
    runs: number;
    perfRounds: number;
    loadRequests: number;
    loadConcurrency: number;
    /** [members, hosts] of each cluster size. */
    sizes: [number, number][];
    healthRuns: HealthyRun[];
    latencyRuns: LatencyRun[];
    perfResults: PerfResult[];
    totalS: number;
}

export function liveReport(data: LiveRuns): string {
    const { image, runs, perfRounds, loadRequests, loadConcurrency, sizes, healthRuns, latencyRuns, perfResults } = data;
    const s = (ms: number) => fmt(ms / 1000, 2);
    const healthRows = sizes.map(([members, hosts]) => {
        const of = (v: string) => healthRuns.filter((x) => x.variant === v && x.members === members);
        const a = of("component");
        const b = of("hand");
        const p = of("bare");
        const m = (xs: HealthyRun[], f: (x: HealthyRun) => number) => median(xs.map(f));
        const latency = a.map((x) => x.doneMs - x.healthyMs);
        return [
            `${members} members / ${hosts} hosts`, String(a.length),
            s(m(a, (x) => x.healthyMs)), s(m(b, (x) => x.healthyMs)), ratio(m(a, (x) => x.healthyMs), m(b, (x) => x.healthyMs)),
            `${s(m(p, (x) => x.healthyMs))} (${ratio(m(p, (x) => x.healthyMs), m(b, (x) => x.healthyMs))})`,
            s(m(a, (x) => x.doneMs)), s(m(b, (x) => x.doneMs)), ratio(m(a, (x) => x.doneMs), m(b, (x) => x.doneMs)),
            `${s(median(latency))} (${s(Math.min(...latency))}–${s(Math.max(...latency))})`,
            `${s(m(a, (x) => x.startedMs))} / ${s(m(b, (x) => x.startedMs))}`,
            a.map((x) => x.attempts ?? "?").join(","),
            `${s(m(a, (x) => x.previewMs))} / ${s(m(p, (x) => x.previewMs))} (${ratio(m(a, (x) => x.previewMs), m(p, (x) => x.previewMs))})`,
        ];
    });
    const pm = (v: string, f: (p: PerfResult) => number) => median(perfResults.filter((p) => p.variant === v).map(f));
    const perfRow = (label: string, f: (p: PerfResult) => number, digits: number) =>
        [label, fmt(pm("component", f), digits), fmt(pm("hand", f), digits), ratio(pm("component", f), pm("hand", f))];
    const settingsA = perfResults.find((p) => p.variant === "component")?.settings ?? {};
    const settingsB = perfResults.find((p) => p.variant === "hand")?.settings ?? {};
    const diffs = Object.keys({ ...settingsA, ...settingsB }).filter((k) => settingsA[k] !== settingsB[k]);

    const out = [
        `### Live: component vs hand-run \`docker run\`s, etcd ${image}`,
        "",
        `Machine: ${data.machine}; lab hosts: ${data.labHosts} (network namespaces on this machine, reached over ssh).`,
        "",
        `#### Time to healthy (medians of ${runs} runs each, runs interleaved; seconds)`,
        "",
        table([
            "cluster", "runs",
            "healthy: component (a)", "healthy: hand (b)", "a/b", "healthy: bare Pulumi program, same deployer (/b)",
            "done: component deploy returned", "done: hand script exited", "done a/b",
            "component health-check notice latency, median (min–max)",
            "check started / last docker run returned", "check attempts", "no-change preview: component / bare (ratio)",
        ], healthRows),
        "",
        "healthy = first pass of `etcdctl endpoint health --cluster` from the root namespace, polled every 100 ms from the start of each run " +
        "(component: before `deploy()`, program evaluation included; hand: before the script). Notice latency = deploy returned − healthy. " +
        "Bare = bareProgram.ts (providers, images, volumes, containers; no health check) through the same real engine. " +
        "No-change preview = `pulumi preview` of the same program right after the deployment (the engine found nothing to change); " +
        "the component's includes its survey of the running members over ssh.",
        "",
        `#### The component's health check alone: notice latency (3 members, medians of ${runs} runs; seconds)`,
        "",
        table(["check polling", "healthy", "check exited 0", "notice latency median (min–max)", "attempts", "one check on a healthy cluster"],
            ["default", "1"].map((d) => {
                const xs = latencyRuns.filter((x) => x.maxDelay === d);
                const lat = xs.map((x) => x.noticedMs - x.healthyMs);
                return [d === "default" ? "as shipped: sleeps 1, 2, 4, 5… s" : "maxDelaySeconds 1: every 1 s",
                    s(median(xs.map((x) => x.healthyMs))), s(median(xs.map((x) => x.noticedMs))),
                    `${s(median(lat))} (${s(Math.min(...lat))}–${s(Math.max(...lat))})`, xs.map((x) => x.attempts).join(","), s(median(xs.map((x) => x.floorMs)))];
            })),
        "",
        "Members started by the hand-run script, then the component's own check script started at once (as the engine starts it right after " +
        "the last container), without the engine's per-resource overheads.",
        "",
        `#### Throughput, 3 members / ${sizes[0][1]} hosts (medians of ${perfRounds} rounds)`,
        "",
        table(["measure", "component", "hand-run", "component / hand"], [
            perfRow("check perf --load=s: throughput, writes/s", (p) => p.throughput, 0),
            perfRow("check perf --load=s: slowest request, s", (p) => p.slowestS, 4),
            perfRow("check perf --load=s: stddev, s", (p) => p.stddevS, 4),
            perfRow(`put ×${loadRequests} @${loadConcurrency}: ops/s`, (p) => p.put.opsPerSec, 0),
            perfRow("put: p50 ms", (p) => p.put.p50Ms, 2),
            perfRow("put: p99 ms", (p) => p.put.p99Ms, 2),
            perfRow(`get ×${loadRequests} @${loadConcurrency} (linearizable): ops/s`, (p) => p.get.opsPerSec, 0),
            perfRow("get: p50 ms", (p) => p.get.p50Ms, 2),
            perfRow("get: p99 ms", (p) => p.get.p99Ms, 2),
        ]),
        "",
        `check perf passed: component ${perfResults.filter((p) => p.variant === "component").map((p) => p.perfPass).join(",")}, ` +
        `hand ${perfResults.filter((p) => p.variant === "hand").map((p) => p.perfPass).join(",")}; ` +
        `load errors: ${perfResults.map((p) => p.put.errors + p.get.errors).reduce((x, y) => x + y, 0)}.`,
        "",
        "Member settings that differ (docker inspect of member 1, names and token normalised): " +
        (diffs.length ? diffs.map((k) => `\`${k}\`: component ${settingsA[k]} vs hand ${settingsB[k]}`).join("; ") : "none"),
        "",
        `Total bench:live time ${fmt(data.totalS, 0)} s.`,
    ].join("\n");
    return out;
}
