/**
 * Watches a cluster through a day-2 change, as a monitoring system would: every few hundred milliseconds it asks
 * every member's client URL for `/health` and `/v3/maintenance/status` (the JSON gateway, served by 3.4 and
 * 3.5), and records how many members were healthy (`/health` passed, or the member answered its status with a
 * leader and no error, or, where auth keeps the status from it, its `/metrics` say it has a leader), who led, and at
 * which raft term. From that, a test can say
 * whether a quorum stayed healthy at every sample and how many leader changes the change cost.
 *
 * The observer runs in the test's own process, beside the inline program the engine runs, whose synchronous work (running the
 * program: resource registrations capture source-mapped stack traces) can hold the event loop for seconds. A
 * sample during which the loop was held for a second or more was not measured (its timeouts fire late, after the
 * answers had arrived, or not at all): it is dropped and counted, never read as members being down.
 */
import * as http from "http";
import * as https from "https";
import { GatewayClient, postJson } from "./etcdHttp";

export interface Sample {
    at: number;
    healthy: number;
    /** Leader member ID (decimal string, as the gateway gives it), "" when no member named one. */
    leader: string;
    term: number;
}

export interface Observation {
    samples: Sample[];
    /** Fewest healthy members seen in one sample. */
    minHealthy: number;
    /** Times the leader ID differed from the previous sample's known leader. */
    leaderChanges: number;
    /** Highest raft term seen minus the first one: elections (planned hand-overs included). */
    termIncrease: number;
    /** Samples dropped because this process's event loop was held longer than a request's timeout. */
    stalledSamples: number;
}

/** GET `path` of `base`: the status and body, `{ status: 0 }` when it did not complete within `timeoutMs`. */
function get(agent: http.Agent, base: string, path: string, timeoutMs: number): Promise<{ status: number; body: string }> {
    const u = new URL(path, base);
    return new Promise((resolve) => {
        const request = u.protocol === "https:" ? https.get : http.get;
        const req = request({ agent, host: u.hostname, port: u.port, path: u.pathname, timeout: timeoutMs }, (res) => {
            let body = "";
            res.on("data", (c) => (body += c));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on("timeout", () => req.destroy(new Error("timeout")));
        req.on("error", () => resolve({ status: 0, body: "" }));
    });
}

/** `/health` passed: the member committed a read through raft within the timeout. */
const healthy = (r: { status: number; body: string }) => r.status === 200 && /"health":\s*"true"/.test(r.body);

/** The member's own `etcd_server_has_leader` gauge is 1: it follows (or is) a leader. */
const hasLeader = (r: { status: number; body: string }) => r.status === 200 && /^etcd_server_has_leader 1$/m.test(r.body);

/**
 * Starts sampling `endpoints` every `intervalMs` until `stop()` (bounded by `maxMs`, default 10 minutes); over TLS
 * when `opts.client` says so (secureHttp.ts).
 */
export function observeCluster(endpoints: string[], opts: { intervalMs?: number; maxMs?: number; client?: GatewayClient } = {}) {
    const intervalMs = opts.intervalMs ?? 250;
    const deadline = Date.now() + (opts.maxMs ?? 10 * 60_000);
    const agent = opts.client?.agent(true) ?? new http.Agent({ keepAlive: true });
    const samples: Sample[] = [];
    const timeoutMs = 2000;
    let stalledSamples = 0;
    let stopping = false;
    // How long the event loop was held since the sample began: a 100 ms tick that arrives late says by how much.
    let lastTick = Date.now();
    let held = 0;
    const ticker = setInterval(() => {
        const now = Date.now();
        held = Math.max(held, now - lastTick - 100);
        lastTick = now;
    }, 100);
    const loop = (async () => {
        while (!stopping && Date.now() < deadline) {
            const at = Date.now();
            held = 0;
            const answers = await Promise.all(endpoints.map(async (ep) => {
                // With auth on, etcd from 3.5.28/3.6.9 answers its status only to an authenticated client
                // (CVE-2026-33413): on such a cluster no leader is seen.
                const [health, status] = await Promise.all([get(agent, ep, "/health", timeoutMs), postJson(agent, ep, "/v3/maintenance/status", {}, timeoutMs)]);
                const leader = String(status.body?.leader ?? "");
                // `/health` commits a read through raft: on a busy 2-core machine it can miss its deadline while the
                // member serves and follows a leader; such a member counts as healthy (it is part of the quorum).
                // Where the status is refused (auth), the member's own has-leader gauge says the same: /metrics is
                // served to any client the TLS listener accepts, outside etcd's auth.
                const following = status.status === 200
                    ? leader !== "" && leader !== "0" && !(status.body?.errors?.length > 0)
                    : !healthy(health) && hasLeader(await get(agent, ep, "/metrics", timeoutMs));
                return { healthy: healthy(health) || following, leader, term: Number(status.body?.raftTerm ?? 0) };
            }));
            const led = answers.filter((a) => a.leader !== "" && a.leader !== "0");
            if (held >= 1000) {
                stalledSamples++;
                continue;
            }
            samples.push({
                at,
                healthy: answers.filter((a) => a.healthy).length,
                leader: led.length ? led.sort((a, b) => b.term - a.term)[0].leader : "",
                term: Math.max(0, ...answers.map((a) => a.term)),
            });
            await new Promise((r) => setTimeout(r, Math.max(0, intervalMs - (Date.now() - at))));
        }
    })();
    return {
        async stop(): Promise<Observation> {
            stopping = true;
            await loop;
            clearInterval(ticker);
            agent.destroy();
            let leaderChanges = 0;
            let last = "";
            for (const s of samples) {
                if (s.leader === "") continue;
                if (last !== "" && s.leader !== last) leaderChanges++;
                last = s.leader;
            }
            const terms = samples.map((s) => s.term).filter((t) => t > 0);
            return {
                samples,
                minHealthy: Math.min(...samples.map((s) => s.healthy)),
                leaderChanges,
                termIncrease: terms.length ? Math.max(...terms) - terms[0] : 0,
                stalledSamples,
            };
        },
    };
}
