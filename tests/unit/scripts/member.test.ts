/** A member's gate, pre-stop hand-over and leave, run for real under /bin/sh against a fake docker. */
import { ClusterAccess, ownAccess } from "../../../components/scripts/access";
import { gateScript, GateSpec, leaveScript, preStopScript } from "../../../components/scripts/member";
import { memberEntry, memberListJson, StatusEntry, statusEntry, statusJson, StatusOptions } from "../etcdctlJson";
import { FakeDocker, fakeHost } from "./fakeDocker";

/** etcd-n2 on h1, as its own scripts reach it (the cluster's access narrowed to it). */
const own: ClusterAccess = ownAccess({
    clusterName: "seed", hosts: ["h0", "h1"].map(fakeHost), etcdctlFlags: [], auth: false,
    probes: ["etcd-n1", "etcd-n2"].map((m, i) => ({ member: m, hostIndex: i, containerName: m, localClientUrl: "http://127.0.0.1:2379" })),
}, "etcd-n2");
const local = "http://127.0.0.1:2379";
const client = (i: number) => `http://10.77.0.1${i}:2379`;
/** `endpoint status` of etcd-n2 (ID a2) itself. */
const self = (o: StatusOptions = {}) => statusJson(statusEntry(local, "a2", o));
/** `endpoint status --cluster`: etcd-n1 leads at 100 unless told. */
const cluster = (...entries: StatusEntry[]) => statusJson(...entries);
const leaderAt = (applied: number) => statusEntry(client(1), "a1", { leader: true, applied });
const calls = (r: { calls: string[] }, what: string) => r.calls.filter((c) => c.includes(what));

describe("gateScript", () => {
    const gate = (over: Partial<GateSpec> = {}) => gateScript({ ...own, timeoutSeconds: 1, maxAppliedLag: 10, ...over });

    it("passes once the member is a voter, healthy, and within maxAppliedLag of the leader", () => {
        const docker = new FakeDocker()
            .answer("etcd-n2", "status", { out: self({ applied: 90 }) })
            .answer("etcd-n2", "status-cluster", { out: cluster(leaderAt(100), statusEntry(client(2), "a2", { applied: 90 })) })
            .answer("etcd-n2", "health", { out: `${local} is healthy: successfully committed proposal: took = 2.1ms\n` });
        const r = docker.run(gate());
        expect(r.code).toBe(0);
        expect(r.stdout).toBe("member etcd-n2 (a2) healthy, a voting member, applied index 90 (leader 100), attempt 1\n");
        expect(r.calls.every((c) => c.startsWith("h1 "))).toBe(true);
    });

    it("waits while the member comes up", () => {
        const docker = new FakeDocker()
            .answer("etcd-n2", "status", { rc: 1, err: "Error: context deadline exceeded\n" }, { out: self({ learner: true }) }, { out: self() })
            .answer("etcd-n2", "status-cluster", { out: cluster(leaderAt(100)) })
            .answer("etcd-n2", "health", { out: "healthy\n" });
        const r = docker.run(gate({ timeoutSeconds: 10 }));
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/healthy, a voting member, applied index 100 \(leader 100\), attempt 3\n$/);
    });

    // What the member answers, and the reason the gate must give when it never gets better.
    it.each<[string, { status: { out?: string; rc?: number; err?: string }; statusCluster?: string; health?: { out?: string; rc?: number; err?: string } }, string]>([
        ["it never answers", { status: { rc: 1, err: "Error: context deadline exceeded\n" } },
            "not answering (endpoint status: Error: context deadline exceeded)"],
        ["it is still a learner", { status: { out: self({ learner: true, applied: 95 }) }, statusCluster: cluster(leaderAt(100)) },
            "still a learner (applied index 95)"],
        ["its status has an error (no quorum)", { status: { out: self({ errors: "etcdserver: no leader" }) }, statusCluster: cluster(leaderAt(100)) },
            "etcdserver: no leader (applied index 100)"],
        ["no member says it leads", { status: { out: self() }, statusCluster: cluster(statusEntry(client(2), "a2")) },
            "no leader answers (applied index 100)"],
        ["endpoint health fails", { status: { out: self() }, statusCluster: cluster(leaderAt(100)),
            health: { rc: 1, err: `${local} is unhealthy: failed to commit proposal: context deadline exceeded\nError: unhealthy cluster\n` } },
            "endpoint health: Error: unhealthy cluster"],
        ["it lags more than maxAppliedLag behind the leader", { status: { out: self({ applied: 89 }) }, statusCluster: cluster(leaderAt(100)), health: { out: "ok\n" } },
            "catching up: applied index 89, the leader's 100"],
    ])("fails when %s, saying so, with the container's last log lines", (_case, answers, reason) => {
        const docker = new FakeDocker()
            .answer("etcd-n2", "status", answers.status)
            .answer("etcd-n2", "status-cluster", { out: answers.statusCluster ?? "" })
            .answer("etcd-n2", "health", answers.health ?? { out: "ok\n" })
            .answer("etcd-n2", "logs", { out: `{"level":"info","msg":"starting an etcd server"}\n{"level":"warn","msg":"failed to reach the peer URL"}\n` })
            .answer("h1", "inspect", { out: "running 0 false 0 2026-11-24T10:00:00Z\n" }, { out: "ETCD_INITIAL_ADVERTISE_PEER_URLS=http://10.77.0.12:2380\n" });
        const r = docker.run(gate());
        expect(r.code).toBe(1);
        expect(r.stderr.startsWith([
            `etcd member etcd-n2 (cluster seed) did not come back within 1s: ${reason}`,
            "The members after it were not touched. Its container etcd-n2, last log lines:",
            `  {"level":"info","msg":"starting an etcd server"}`,
            `  {"level":"warn","msg":"failed to reach the peer URL"}`,
            "Diagnosis",
        ].join("\n"))).toBe(true);
        // The diagnosis of the member alone: its state, health, and its log since the container started.
        expect(calls(r, " logs ")).toEqual(["h1 logs --tail 15 etcd-n2", "h1 logs --since 2026-11-24T10:00:00Z --tail 300 etcd-n2"]);
    });
});

describe("gateScript with a learner in the cluster, auth on (etcd 3.6.17)", () => {
    // A learner cannot authenticate a user, so etcdctl exits at its endpoint and `endpoint status --cluster` prints nothing.
    const learnerBreaksCluster = () => new FakeDocker()
        .answer("etcd-n2", "status-cluster", { rc: 1, err: "Error: etcdserver: rpc not supported for learner\n" })
        .answer("etcd-n2", "member-list", { out: memberListJson(
            memberEntry("a1", "etcd-n1", "http://10.77.0.11:2380", client(1)),
            memberEntry("a2", "etcd-n2", "http://10.77.0.12:2380", client(2)),
            memberEntry("a4", "etcd-n4", "http://10.77.0.14:2380", "http://10.77.0.14:2379", true)) })
        .answer("etcd-n2", "health", { out: "ok\n" })
        .answer("etcd-n2", "logs", { out: "" });

    it("finds the leader among the voting members", () => {
        const docker = learnerBreaksCluster()
            .answer("etcd-n2", "status", { out: self() }, { out: cluster(statusEntry(client(1), "a1", { leader: true }), statusEntry(client(2), "a2")) });
        const r = docker.run(gateScript({ ...own, auth: true, timeoutSeconds: 1, maxAppliedLag: 10 }), { ETCD_ROOT_PASSWORD: "pw" });
        expect(r.stderr).toBe("");
        expect(r.stdout).toBe("member etcd-n2 (a2) healthy, a voting member, applied index 100 (leader 100), attempt 1\n");
        expect(calls(r, `endpoint status -w json --endpoints=${client(1)},${client(2)}`)).toHaveLength(1);
    });
});

describe("preStopScript", () => {
    it("leaves leadership alone when the member does not lead", () => {
        const r = new FakeDocker().answer("etcd-n2", "status", { out: self() }).run(preStopScript(own));
        expect(r.code).toBe(0);
        expect(r.stdout).toBe("member etcd-n2 is not the leader of cluster seed\n");
        expect(calls(r, "move-leader")).toEqual([]);
    });

    it("hands leadership to the voter with the highest applied index (not itself, not a learner)", () => {
        const docker = new FakeDocker()
            .answer("etcd-n2", "status", { out: self({ leader: true }) })
            .answer("etcd-n2", "status-cluster", { out: cluster(
                statusEntry(client(1), "a1", { applied: 90 }), statusEntry(client(2), "a2", { leader: true, applied: 120 }),
                statusEntry(client(3), "a3", { applied: 99 }), statusEntry(client(4), "b4", { learner: true, applied: 110 })) })
            .answer("etcd-n2", "move-leader", { out: "Leadership transferred from a2 to a3\n" });
        const r = docker.run(preStopScript(own));
        expect(r.code).toBe(0);
        expect(calls(r, "move-leader")).toEqual(["h1 exec etcd-n2 /usr/local/bin/etcdctl --endpoints=http://127.0.0.1:2379 --command-timeout=5s move-leader a3"]);
        expect(r.stdout).toBe("member etcd-n2 handed leadership to a3\n");
    });

    // Each fake is made inside its test (a function here): its folder is deleted after the test that made it.
    it.each<[string, () => FakeDocker, RegExp]>([
        ["the member does not answer", () => new FakeDocker().answer("etcd-n2", "status", { rc: 1, err: "Error: connection refused\n" }),
            /^member etcd-n2 does not answer; nothing to hand over\n$/],
        ["no other voter answers", () => new FakeDocker().answer("etcd-n2", "status", { out: self({ leader: true }) })
            .answer("etcd-n2", "status-cluster", { out: cluster(statusEntry(client(2), "a2", { leader: true })) }),
            /^member etcd-n2 leads and no other voting member answers: leadership not moved\n$/],
        ["move-leader fails", () => new FakeDocker().answer("etcd-n2", "status", { out: self({ leader: true }) })
            .answer("etcd-n2", "status-cluster", { out: cluster(statusEntry(client(2), "a2", { leader: true }), statusEntry(client(3), "a3")) })
            .answer("etcd-n2", "move-leader", { rc: 1, err: "Error: etcdserver: leader changed\n" }),
            /^member etcd-n2 could not hand leadership to a3: Error: etcdserver: leader changed\n$/],
    ])("never fails (the container's SIGTERM hands over too): %s", (_case, docker, said) => {
        const r = docker().run(preStopScript(own));
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(said);
    });
});

describe("leaveScript", () => {
    const leave = () => leaveScript({ ...own, timeoutSeconds: 2 });
    const removes = (r: { calls: string[] }) => calls(r, "member remove");

    it("removes the member through itself", () => {
        const docker = new FakeDocker().answer("etcd-n2", "status", { out: self() }).answer("etcd-n2", "remove", { out: "Member a2 removed from cluster 1c45\n" });
        const r = docker.run(leave());
        expect(r.code).toBe(0);
        expect(r.stdout).toBe("member etcd-n2 (a2) removed from cluster seed\n");
        expect(removes(r)).toEqual(["h1 exec etcd-n2 /usr/local/bin/etcdctl --endpoints=http://127.0.0.1:2379 --command-timeout=5s member remove a2"]);
        expect(calls(r, "move-leader")).toEqual([]);
    });

    it("leaves a learner to its join's delete: a learner cannot remove itself", () => {
        const r = new FakeDocker().answer("etcd-n2", "status", { out: self({ learner: true }) }).run(leave());
        expect(r.code).toBe(0);
        expect(r.stdout).toBe("member etcd-n2 (a2) is a learner: its join removes it from cluster seed\n");
        expect(removes(r)).toEqual([]);
    });

    it("hands leadership away first when the member leads", () => {
        const docker = new FakeDocker()
            .answer("etcd-n2", "status", { out: self({ leader: true }) })
            .answer("etcd-n2", "status-cluster", { out: cluster(statusEntry(client(1), "a1"), statusEntry(client(2), "a2", { leader: true })) })
            .answer("etcd-n2", "move-leader", { out: "Leadership transferred\n" })
            .answer("etcd-n2", "remove", { out: "Member a2 removed\n" });
        const r = docker.run(leave());
        expect(r.code).toBe(0);
        const order = r.calls.filter((c) => /move-leader|member remove/.test(c)).map((c) => (c.includes("move-leader") ? "move-leader a1" : "remove"));
        expect(order).toEqual(["move-leader a1", "remove"]);
    });

    it.each<[string, { rc?: number; out?: string; err?: string }[], string]>([
        ["it is no longer a member (an earlier removal went through)", [{ rc: 1, err: "Error: etcdserver: member not found\n" }], ""],
        ["etcd answers 'unhealthy cluster' for a while (strict reconfig check)", [{ rc: 1, err: "Error: etcdserver: unhealthy cluster\n" }, { out: "Member a2 removed\n" }], ""],
        ["the member stopped before answering, its log saying it was removed", [{ rc: 1, err: "Error: etcdserver: server stopped\n" }],
            `{"level":"warn","msg":"the member has been permanently removed from the cluster"}\n`],
    ])("counts the member as removed when %s", (_case, answers, log) => {
        const docker = new FakeDocker().answer("etcd-n2", "status", { out: self() }).answer("etcd-n2", "remove", ...answers).answer("etcd-n2", "logs", { out: log });
        const r = docker.run(leaveScript({ ...own, timeoutSeconds: 5 }));
        expect(r.code).toBe(0);
        expect(r.stdout).toBe("member etcd-n2 (a2) removed from cluster seed\n");
    });

    it("fails, keeping the container, when the removal keeps failing", () => {
        const docker = new FakeDocker().answer("etcd-n2", "status", { out: self() })
            .answer("etcd-n2", "remove", { rc: 1, err: "Error: etcdserver: server stopped\n" })
            .answer("etcd-n2", "logs", { out: `{"level":"info","msg":"stopping server"}\n` })
            .answer("h1", "inspect", { out: "running 0 false 0 2026-11-24T10:00:00Z\n" }, { out: "" })
            .answer("etcd-n2", "health", { rc: 1, err: "Error: etcdserver: server stopped\n" });
        const r = docker.run(leave());
        expect(r.code).toBe(1);
        // Then the member's diagnosis: running, not answering endpoint health.
        expect(r.stderr).toBe("etcd member etcd-n2 (a2) could not be removed from cluster seed within 2s: Error: etcdserver: server stopped\nIts container keeps running.\n" +
            "Diagnosis:\n- etcd-n2 (container etcd-n2 on ssh://root@h1): it does not answer endpoint health (Error: etcdserver: server stopped); nothing known in its log.\n" +
            "    fix: see its log: docker -H ssh://root@h1 logs etcd-n2.\n");
    });

    it("fails with the way out when the member does not answer, removing nothing", () => {
        const docker = new FakeDocker().answer("etcd-n2", "status", { rc: 1, err: "Error response from daemon: container etcd-n2 is not running\n" });
        const r = docker.run(leave());
        expect(r.code).toBe(1);
        expect(r.stderr).toBe("etcd member etcd-n2 (cluster seed) does not answer (Error response from daemon: container etcd-n2 is not running), so it cannot be removed " +
            "from the cluster through its container etcd-n2. Start it (docker start etcd-n2) and deploy again, or remove it by hand through a healthy member " +
            "(etcdctl member remove <id>) and then deploy again.\n");
        expect(removes(r)).toEqual([]);
    });
});

it("refuses a spec that is not narrowed to one member on its own host", () => {
    expect(() => preStopScript({ ...own, hosts: ["h0", "h1"].map(fakeHost), probes: [{ ...own.probes[0], hostIndex: 1 }] }))
        .toThrow(/a member's own scripts take its own access \(ownAccess\): 1 members on 2 hosts/);
});
