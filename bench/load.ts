/**
 * A fixed put/get load through one client for both clusters: etcd's v3 JSON gateway (POST /v3/kv/put and
 * /v3/kv/range, served by 3.4 and 3.5 on the client port) over keep-alive HTTP from node, requests spread
 * round-robin over the members' client URLs, a fixed number of requests at a fixed concurrency.
 * Gets are linearizable (etcd's default), so they go through the leader's read index.
 */
import * as http from "http";
import { performance } from "perf_hooks";
import { percentile } from "./common";

export interface LoadResult {
    op: "put" | "get";
    requests: number;
    errors: number;
    seconds: number;
    opsPerSec: number;
    p50Ms: number;
    p99Ms: number;
}

function post(agent: http.Agent, base: string, path: string, body: unknown): Promise<number> {
    const u = new URL(path, base);
    const payload = Buffer.from(JSON.stringify(body));
    return new Promise((resolve) => {
        const req = http.request({
            agent, host: u.hostname, port: u.port, path: u.pathname, method: "POST",
            headers: { "Content-Type": "application/json", "Content-Length": payload.length }, timeout: 10_000,
        }, (res) => {
            res.resume();
            res.on("end", () => resolve(res.statusCode ?? 0));
        });
        req.on("timeout", () => req.destroy(new Error("timeout")));
        req.on("error", () => resolve(0));
        req.end(payload);
    });
}

const b64 = (s: string) => Buffer.from(s).toString("base64");

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
            const status = op === "put"
                ? await post(agent, base, "/v3/kv/put", { key, value })
                : await post(agent, base, "/v3/kv/range", { key });
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
