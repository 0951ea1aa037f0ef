/**
 * Program cost (issue 6, part 3): wall time and peak memory to evaluate the program under mocks, as
 * `pulumi preview` makes the language host do, for EtcdCluster programs of 1, 3, 5, 7, 9 members and of
 * 20 clusters of 5, against a bare @pulumi/docker program declaring the same containers.
 * Each evaluation runs in a fresh node process (costChild.js); component and bare runs are interleaved
 * (alternating which goes first) so machine noise hits both; medians are reported.
 *   BENCH_COST_RUNS (default 7) evaluations per variant and size.
 */
import { execFile } from "child_process";
import * as path from "path";
import { promisify } from "util";
import { fmt, log, machine, median, ratio, table } from "./common";

const execFileAsync = promisify(execFile);

interface Sample {
    variant: "component" | "bare";
    members: number;
    clusters: number;
    resources: number;
    loadMs: number;
    evalMs: number;
    totalMs: number;
    maxRssMiB: number;
    heapMiB: number;
}

async function evaluate(variant: string, members: number, clusters: number): Promise<Sample> {
    const { stdout } = await execFileAsync(process.execPath, [path.join(__dirname, "costChild.js"), variant, String(members), String(clusters)],
        { timeout: 300_000, maxBuffer: 1 << 20 });
    return JSON.parse(stdout.trim().split("\n").pop()!) as Sample;
}

async function main(): Promise<void> {
    const runs = Number(process.env.BENCH_COST_RUNS ?? 7);
    const sizes: [number, number][] = [[1, 1], [3, 1], [5, 1], [7, 1], [9, 1], [5, 20]];
    const samples: Sample[] = [];
    // One warm-up of each (file cache), not counted.
    await evaluate("component", 1, 1);
    await evaluate("bare", 1, 1);
    for (let r = 0; r < runs; r++) {
        for (const [members, clusters] of sizes) {
            const order = r % 2 === 0 ? ["component", "bare"] : ["bare", "component"];
            for (const v of order) samples.push(await evaluate(v, members, clusters));
        }
        log(`program cost: round ${r + 1}/${runs} done`);
    }

    const rows: string[][] = [];
    let firstEvalPerResource: number | undefined;
    for (const [members, clusters] of sizes) {
        const of = (v: string) => samples.filter((s) => s.variant === v && s.members === members && s.clusters === clusters);
        const c = of("component");
        const b = of("bare");
        const m = (xs: Sample[], k: keyof Sample) => median(xs.map((s) => s[k] as number));
        const perRes = m(c, "evalMs") / c[0].resources;
        firstEvalPerResource ??= perRes;
        rows.push([
            clusters === 1 ? `${members} member${members > 1 ? "s" : ""}` : `${clusters} clusters × ${members}`,
            `${c[0].resources} / ${b[0].resources}`,
            fmt(m(c, "evalMs"), 0), fmt(m(b, "evalMs"), 0), ratio(m(c, "evalMs"), m(b, "evalMs")),
            fmt(m(c, "totalMs"), 0), fmt(m(b, "totalMs"), 0), ratio(m(c, "totalMs"), m(b, "totalMs")),
            fmt(m(c, "maxRssMiB"), 0), fmt(m(b, "maxRssMiB"), 0), ratio(m(c, "maxRssMiB"), m(b, "maxRssMiB")),
            fmt(m(c, "evalMs") / (members * clusters), 1),
        ]);
    }
    const out = [
        `### Program cost under mocks (preview), medians of ${runs} fresh processes per cell`,
        "",
        `Machine: ${machine()}`,
        "",
        table([
            "program", "resources (component / bare)",
            "eval ms component", "eval ms bare", "eval ratio",
            "load+eval ms component", "load+eval ms bare", "load+eval ratio",
            "peak RSS MiB component", "peak RSS MiB bare", "RSS ratio",
            "component eval ms per member",
        ], rows),
        "",
        "eval = setMocks(preview) + running the program until every registration is answered; load = requiring @pulumi/* and the " +
        "program's modules. Bare = a provider and RemoteImage per host, a Volume and Container per member with the same ETCD_* settings.",
    ].join("\n");
    process.stdout.write(out + "\n");
}

main().catch((e) => {
    process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
});
