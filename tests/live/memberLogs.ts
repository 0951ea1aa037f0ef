/**
 * What etcd itself said during a stretch of a live test: each member's warnings and errors, counted by message. A
 * day-2 test prints them when its load saw failed writes or its observer fewer than a quorum healthy, so that a
 * failure on a CI machine says whether the members reported an overloaded host ("leader failed to send out heartbeat
 * on time", "apply request took too long"), an election, a refused request, or something else.
 */
import { docker } from "./lab";

export interface MemberContainer {
    dockerHost: string;
    /** The container's name. */
    name: string;
}

interface LogLine { level?: string; msg?: string; ts?: string; error?: string }

/** Warnings and worse of one member's log text (etcd's JSON lines), as `count× msg (error) first at ts` lines. */
export function summarizeWarnings(text: string): string[] {
    const seen = new Map<string, { count: number; first: string }>();
    for (const line of text.split("\n")) {
        let entry: LogLine;
        try { entry = JSON.parse(line) as LogLine; } catch { continue; }
        if (!entry.level || ["debug", "info"].includes(entry.level)) continue;
        const key = `${entry.level} ${entry.msg ?? ""}${entry.error ? ` (${entry.error.slice(0, 120)})` : ""}`;
        const s = seen.get(key);
        if (s) s.count++;
        else seen.set(key, { count: 1, first: entry.ts ?? "" });
    }
    return [...seen].map(([key, s]) => `${s.count}× ${key}, first at ${s.first}`);
}

/** Each member's warnings since `since` (epoch ms), one block per member; "" when none had any. */
export async function memberWarnings(members: MemberContainer[], since: number): Promise<string> {
    const blocks = await Promise.all(members.map(async (m) => {
        const r = await docker(m.dockerHost, "logs", "--since", String(Math.floor(since / 1000)), m.name);
        const lines = summarizeWarnings(`${r.stdout}\n${r.stderr}`);
        return lines.length ? `${m.name}:\n${lines.map((l) => `  ${l}`).join("\n")}` : "";
    }));
    return blocks.filter((b) => b !== "").join("\n");
}
