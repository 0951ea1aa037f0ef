/** Small helpers shared by the benchmark drivers: statistics, tables, machine description, the run/cleanup frame. */
import * as fs from "fs";
import * as os from "os";
import { execFileSync } from "child_process";
import { performance } from "perf_hooks";
import { run } from "../providers/exec";

export function median(xs: number[]): number {
    if (xs.length === 0) return NaN;
    const s = [...xs].sort((a, b) => a - b);
    const m = Math.floor(s.length / 2);
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Nearest-rank percentile (p in 0..100). */
export function percentile(xs: number[], p: number): number {
    if (xs.length === 0) return NaN;
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

export function fmt(x: number, digits = 2): string {
    return Number.isFinite(x) ? x.toFixed(digits) : "n/a";
}

export function ratio(a: number, b: number): string {
    return Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? `${(a / b).toFixed(2)}×` : "n/a";
}

export function table(header: string[], rows: (string | number)[][]): string {
    const line = (cells: (string | number)[]) => `| ${cells.map(String).join(" | ")} |`;
    return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** `date -u`, CPUs, memory, kernel, node: what the README's results are labelled with. */
export function machine(): string {
    const date = execFileSync("date", ["-u"]).toString().trim();
    const cpu = os.cpus()[0]?.model ?? "?";
    return `${date}; ${os.cpus().length} CPUs (nproc; ${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ` +
        `kernel ${os.release()}, node ${process.version}`;
}

export const log = (line: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 23)}] ${line}\n`);

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs a driver's `main`, then `cleanup` and removes `workDir`; on failure, on SIGINT and on SIGTERM too, so that
 * a benchmark never leaves its containers and volumes behind. `what` names them in the log.
 */
export function runDriver(main: () => Promise<void>, cleanup: () => Promise<void>, workDir: string, what: string): void {
    let cleaning = false;
    for (const sig of ["SIGINT", "SIGTERM"] as const) {
        process.on(sig, () => {
            if (cleaning) return;
            cleaning = true;
            log(`${sig}: removing ${what}`);
            cleanup().finally(() => process.exit(130));
        });
    }
    main().then(async () => {
        await cleanup();
        fs.rmSync(workDir, { recursive: true, force: true });
    }, async (e) => {
        process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
        await cleanup();
        process.exit(1);
    });
}

/** Polls `etcdctl endpoint health --cluster` every 100 ms until it passes; resolves with the ms since t0 (NaN after timeoutMs). */
export async function firstHealthy(endpoints: string[], t0: number, timeoutMs: number): Promise<number> {
    for (;;) {
        const r = await run("etcdctl", [`--endpoints=${endpoints.join(",")}`, "--dial-timeout=1s", "--command-timeout=2s", "endpoint", "health", "--cluster"],
            { timeoutMs: 10_000 });
        if (r.code === 0) return performance.now() - t0;
        if (performance.now() - t0 > timeoutMs) return NaN;
        await sleep(100);
    }
}
