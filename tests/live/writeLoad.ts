/**
 * A steady write load for day-2 changes: one put at a time, round-robin over the members' client URLs, each a
 * new key with a known value. A put counts as acknowledged only when etcd answered 200 with a revision, so
 * after the change every acknowledged key must be readable: no change the component makes may lose one.
 * Bounded by a put count and a wall-clock limit; it stops by itself.
 */
import * as http from "http";
import { b64, postJson, readPrefix } from "./etcdHttp";

export interface WriteLoad {
    /** Stops the writer (bounded: waits at most for the put in flight) and returns what it saw. */
    stop(): Promise<WriteLoadResult>;
}

export interface WriteLoadResult {
    acked: Map<string, string>;
    failed: number;
    /** Longest time between two acknowledged puts: the write outage a user saw. */
    longestGapMs: number;
    /** When (epoch ms) that longest gap ended. */
    longestGapEndedAt: number;
}

export function startWriteLoad(endpoints: string[], prefix: string, opts: { maxPuts?: number; maxMs?: number; pauseMs?: number } = {}): WriteLoad {
    const maxPuts = opts.maxPuts ?? 20_000;
    const deadline = Date.now() + (opts.maxMs ?? 10 * 60_000);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const acked = new Map<string, string>();
    let failed = 0;
    let stopping = false;
    let lastAck = Date.now();
    let longestGapMs = 0;
    let longestGapEndedAt = 0;
    const loop = (async () => {
        for (let i = 0; i < maxPuts && !stopping && Date.now() < deadline; i++) {
            const key = `${prefix}${String(i).padStart(6, "0")}`;
            const value = `v${i}`;
            const r = await postJson(agent, endpoints[i % endpoints.length], "/v3/kv/put", { key: b64(key), value: b64(value) }, 5_000);
            if (r.status === 200 && r.body?.header?.revision) {
                acked.set(key, value);
                const now = Date.now();
                if (now - lastAck > longestGapMs) {
                    longestGapMs = now - lastAck;
                    longestGapEndedAt = now;
                }
                lastAck = now;
            } else {
                failed++;
                await new Promise((res) => setTimeout(res, 100));
            }
            if (opts.pauseMs) await new Promise((res) => setTimeout(res, opts.pauseMs));
        }
    })();
    return {
        async stop() {
            stopping = true;
            await loop;
            agent.destroy();
            return { acked, failed, longestGapMs, longestGapEndedAt };
        },
    };
}

/** The acknowledged keys that are missing or hold another value now. */
export async function lostWrites(endpoints: string[], prefix: string, acked: Map<string, string>): Promise<string[]> {
    const now = await readPrefix(endpoints, prefix);
    return [...acked].filter(([k, v]) => now.get(k) !== v).map(([k]) => k);
}
