/**
 * A steady write load for day-2 changes: one put at a time, round-robin over the members' client URLs, each a new
 * key with a known value, paced (a pause after each put, 20 ms unless told) so that the load is a steady stream
 * rather than all the disk and CPU the machine has: four live groups share two cores, and a load flat out made
 * etcd's own fsyncs and heartbeats late enough to cost elections that no change of the component caused. A put
 * counts as acknowledged only when etcd answered it with a revision, so after the change every acknowledged key
 * must be readable: no change the component makes may lose one. Bounded by a put count and a wall-clock limit; it
 * stops by itself. Puts and the read-back go through a {@link KvClient}: etcd's JSON gateway over plain http by
 * default.
 */
import * as http from "http";
import { b64, postJson, readPrefix } from "./etcdHttp";

/** How the load writes one key and reads a prefix back. */
export interface KvClient {
    /** One put through `endpoint`: acknowledged, or the answer that says why not. */
    put(endpoint: string, key: string, value: string): Promise<{ acked: true } | { acked: false; answer: string }>;
    readPrefix(endpoints: string[], prefix: string): Promise<Map<string, string>>;
    close(): void;
}

/** etcd's JSON gateway over plain http (etcdHttp.ts), one keep-alive connection. */
export function gatewayKv(): KvClient {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    return {
        async put(endpoint, key, value) {
            const r = await postJson(agent, endpoint, "/v3/kv/put", { key: b64(key), value: b64(value) }, 5_000);
            if (r.status === 200 && r.body?.header?.revision) return { acked: true };
            return { acked: false, answer: `status ${r.status} ${JSON.stringify(r.body ?? null).slice(0, 300)}` };
        },
        readPrefix,
        close: () => agent.destroy(),
    };
}

export interface WriteLoad {
    /** Stops the writer (bounded: waits at most for the put in flight) and returns what it saw. */
    stop(): Promise<WriteLoadResult>;
}

export interface WriteLoadResult {
    acked: Map<string, string>;
    failed: number;
    /** The first failed put's answer (the gateway's `status <code> <body>`, status 0: no answer), so that a load that never writes says why. */
    firstFailure?: string;
    /** Longest time between two acknowledged puts: the write outage a user saw. */
    longestGapMs: number;
    /** When (epoch ms) that longest gap ended. */
    longestGapEndedAt: number;
}

/**
 * `pauseMs`: the pause after every put (20 ms); `retryPauseMs`: after a failed one, before the next member is asked
 * (100 ms). A benchmark of the write gap sets both to 0, so that its own pauses do not hide a gap shorter than them.
 */
export function startWriteLoad(endpoints: string[], prefix: string, opts: { maxPuts?: number; maxMs?: number; pauseMs?: number; retryPauseMs?: number; kv?: KvClient } = {}): WriteLoad {
    const maxPuts = opts.maxPuts ?? 20_000;
    const pauseMs = opts.pauseMs ?? 20;
    const retryPauseMs = opts.retryPauseMs ?? 100;
    const deadline = Date.now() + (opts.maxMs ?? 10 * 60_000);
    const kv = opts.kv ?? gatewayKv();
    const acked = new Map<string, string>();
    let failed = 0;
    let firstFailure: string | undefined;
    let stopping = false;
    let lastAck = Date.now();
    let longestGapMs = 0;
    let longestGapEndedAt = 0;
    const loop = (async () => {
        for (let i = 0; i < maxPuts && !stopping && Date.now() < deadline; i++) {
            const key = `${prefix}${String(i).padStart(6, "0")}`;
            const value = `v${i}`;
            const r = await kv.put(endpoints[i % endpoints.length], key, value);
            if (r.acked) {
                acked.set(key, value);
                const now = Date.now();
                if (now - lastAck > longestGapMs) {
                    longestGapMs = now - lastAck;
                    longestGapEndedAt = now;
                }
                lastAck = now;
            } else {
                failed++;
                firstFailure ??= r.answer;
                if (retryPauseMs > 0) await new Promise((res) => setTimeout(res, retryPauseMs));
            }
            if (pauseMs > 0) await new Promise((res) => setTimeout(res, pauseMs));
        }
    })();
    return {
        async stop() {
            stopping = true;
            await loop;
            if (!opts.kv) kv.close();
            return { acked, failed, firstFailure, longestGapMs, longestGapEndedAt };
        },
    };
}

/** The acknowledged keys that are missing or hold another value now. */
export async function lostWrites(endpoints: string[], prefix: string, acked: Map<string, string>, kv?: KvClient): Promise<string[]> {
    const client = kv ?? gatewayKv();
    try {
        const now = await client.readPrefix(endpoints, prefix);
        return [...acked].filter(([k, v]) => now.get(k) !== v).map(([k]) => k);
    } finally {
        if (!kv) client.close();
    }
}
