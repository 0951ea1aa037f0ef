/** Small helpers shared by the benchmark drivers: statistics, tables, machine description. */
import * as os from "os";
import { execFileSync } from "child_process";

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
