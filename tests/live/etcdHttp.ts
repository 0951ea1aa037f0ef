/**
 * etcd's v3 JSON gateway (POST /v3/kv/put, /v3/kv/range on the client port, served by 3.4 and 3.5) from node
 * over keep-alive HTTP: a client with no process per request, for load and for reading keys back. An https base
 * URL goes over TLS with the agent's certificates (see secureHttp.ts); `headers` carry an auth token.
 */
import * as http from "http";
import * as https from "https";

export interface JsonReply {
    /** HTTP status; 0 when the request did not complete (refused, reset, timed out). */
    status: number;
    body: any;
}

export function postJson(agent: http.Agent, base: string, path: string, body: unknown, timeoutMs = 10_000, headers: Record<string, string> = {}): Promise<JsonReply> {
    const u = new URL(path, base);
    const payload = Buffer.from(JSON.stringify(body));
    const request = u.protocol === "https:" ? https.request : http.request;
    return new Promise((resolve) => {
        const req = request({
            agent, host: u.hostname, port: u.port, path: u.pathname, method: "POST",
            headers: { "Content-Type": "application/json", "Content-Length": payload.length, ...headers }, timeout: timeoutMs,
        }, (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c) => chunks.push(c));
            res.on("end", () => {
                let parsed: any;
                try { parsed = JSON.parse(Buffer.concat(chunks).toString("utf8")); } catch { parsed = undefined; }
                resolve({ status: res.statusCode ?? 0, body: parsed });
            });
        });
        req.on("timeout", () => req.destroy(new Error("timeout")));
        req.on("error", () => resolve({ status: 0, body: undefined }));
        req.end(payload);
    });
}

export const b64 = (s: string) => Buffer.from(s).toString("base64");
export const unb64 = (s: string) => Buffer.from(s, "base64").toString("utf8");

/** The smallest key greater than every key starting with `prefix` (etcdctl's --prefix range end). */
function prefixEnd(prefix: string): string {
    const b = Buffer.from(prefix);
    for (let i = b.length - 1; i >= 0; i--) {
        if (b[i] < 0xff) return Buffer.concat([b.subarray(0, i), Buffer.from([b[i] + 1])]).toString("base64");
    }
    return b64("\0");
}

/** Every key and value under `prefix`, read (linearizably) through the first endpoint that answers. */
export async function readPrefix(endpoints: string[], prefix: string): Promise<Map<string, string>> {
    const agent = new http.Agent({ keepAlive: false });
    try {
        for (const ep of endpoints) {
            const r = await postJson(agent, ep, "/v3/kv/range", { key: b64(prefix), range_end: prefixEnd(prefix) }, 10_000);
            if (r.status !== 200) continue;
            return new Map(((r.body?.kvs ?? []) as { key: string; value?: string }[]).map((kv) => [unb64(kv.key), unb64(kv.value ?? "")]));
        }
        throw new Error(`no endpoint of ${endpoints.join(", ")} answered a range read`);
    } finally {
        agent.destroy();
    }
}

/** `GET /version` of a member: what it runs and the cluster version. */
export function version(endpoint: string): Promise<{ etcdserver?: string; etcdcluster?: string }> {
    return new Promise((resolve) => {
        http.get(`${endpoint}/version`, { timeout: 3000 }, (res) => {
            let body = "";
            res.on("data", (c) => (body += c));
            res.on("end", () => { try { resolve(JSON.parse(body)); } catch { resolve({}); } });
        }).on("error", () => resolve({}));
    });
}

/** How a test reaches a TLS cluster's gateway: an agent with the cluster's CA and client certificate (secureHttp.ts). */
export interface GatewayClient {
    agent(keepAlive: boolean): http.Agent;
}
