/**
 * A fixed put/get load through one client for both clusters: etcd's v3 JSON gateway (POST /v3/kv/put and
 * /v3/kv/range, served by 3.4 and 3.5 on the client port) over keep-alive HTTP from node, requests spread
 * round-robin over the members' client URLs, a fixed number of requests at a fixed concurrency.
 * Gets are linearizable (etcd's default), so they go through the leader's read index.
 */
import * as http from "http";
import { performance } from "perf_hooks";
import { percentile } from "./common";
import { b64, postJson } from "../tests/live/etcdHttp";

export interface LoadResult {
    op: "put" | "get";
    requests: number;
    errors: number;
    seconds: number;
    opsPerSec: number;
    p50Ms: number;
    p99Ms: number;
}


export async function runLoad(endpoints: string[], op: "put" | "get", requests: number, concurrency: number, valueBytes = 256): Promise<LoadResult> {
    const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
    const value = b64("x".repeat(valueBytes));
    const latencies: number[] = [];
    let errors = 0;
    let next = 0;
    const start = performance.now();
    const worker = async () => {
        for (;;) {
            const i = next++;
            if (i >= requests) return;
            const base = endpoints[i % endpoints.length];
            const key = b64(`/bench/load/${i % 1000}`);
            const t = performance.now();
            const { status } = op === "put"
                ? await postJson(agent, base, "/v3/kv/put", { key, value })
                : await postJson(agent, base, "/v3/kv/range", { key });
            latencies.push(performance.now() - t);
            if (status !== 200) errors++;
        }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const seconds = (performance.now() - start) / 1000;
    agent.destroy();
    return {
        op, requests, errors, seconds, opsPerSec: requests / seconds,
        p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99),
    };
}
