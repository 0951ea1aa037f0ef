/** The diagnosis script run for real under /bin/sh against a fake docker, with the machine's node doing the matching. */
import { diagnosisScript } from "../../../components/scripts/diagnose";
import { FakeDocker, fakeHost } from "./fakeDocker";

const spec = diagnosisScript({
    hosts: ["h0", "h1", "h2"].map(fakeHost),
    probes: ["etcd-n1", "etcd-n2", "etcd-n3"].map((m, i) => ({ member: m, hostIndex: i, containerName: m, localClientUrl: "http://127.0.0.1:2379" })),
    etcdctlFlags: [],
    auth: false,
});
const status = (cid: string) => ({ out: `[{"Endpoint":"http://127.0.0.1:2379","Status":{"header":{"cluster_id":${cid},"member_id":1,"revision":5,"raft_term":2},"version":"3.5.16"}}]\n` });

it("gathers each member through its own host and diagnoses: a host down, a member on another cluster's data, a member that exited", () => {
    const docker = new FakeDocker()
        .answer("h0", "inspect", { out: "running 0 false 0 2026-11-24T10:00:00Z\n" }, { out: "ETCD_INITIAL_ADVERTISE_PEER_URLS=http://10.0.0.1:2380\n" })
        .answer("etcd-n1", "health", { out: "127.0.0.1:2379 is healthy\n" }).answer("etcd-n1", "status", status("111")).answer("etcd-n1", "logs", { out: "" })
        .down("h1")
        .answer("h2", "inspect", { out: "exited 1 false 0 2026-11-24T10:00:00Z\n" }, { out: "" })
        .answer("etcd-n3", "health", { rc: 1, err: "Error response from daemon: container is not running\n" })
        .answer("etcd-n3", "status", { rc: 1 })
        .answer("etcd-n3", "logs", { out: "2026-11-25 02:19:04.768210 C | etcdmain: listen tcp 0.0.0.0:2380: bind: address already in use\n" });
    const r = docker.run(spec, {}, 60_000);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe([
        "Diagnosis:",
        "- etcd-n2 (container etcd-n2 on ssh://root@h1): the Docker engine of host ssh://root@h1 cannot be reached (docker said: error during connect: ssh: connect to host h1 port 22: No route to host).",
        "    fix: check that the host is up and that its Docker engine answers there (docker -H ssh://root@h1 info), e.g. ssh access for ssh:// hosts.",
        "- etcd-n3 (container etcd-n3 on ssh://root@h2): its container is exited (exit code 1): a port the member must listen on is taken by another process on its host.",
        "    fix: free the port (ss -ltnp on the host shows who holds it) or give the member other ports (clientPort, peerPort, metricsPort).",
        "    log: 2026-11-25 02:19:04.768210 C | etcdmain: listen tcp 0.0.0.0:2380: bind: address already in use",
        "",
    ].join("\n"));
    // Only what reads: inspect, etcdctl member list, endpoint health/status, logs since the container started.
    expect(r.calls.filter((c) => !/ (inspect|logs) | endpoint (health|status)| member list -w json$/.test(c))).toEqual([]);
    expect(r.calls).toContain("h0 logs --since 2026-11-24T10:00:00Z --tail 300 etcd-n1");
});

describe("a learner left behind, with auth on", () => {
    // etcdctl's JSON captured from etcd 3.5.16 (tests/unit/plan/etcdctl-json), renamed: cap1…cap4 are etcd-n1…etcd-n4.
    const read = (f: string) => require("fs").readFileSync(require("path").join(__dirname, "../plan/etcdctl-json", f), "utf8").replace(/cap(\d)/g, "etcd-n$1");
    const secure = (probes: string[]) => diagnosisScript({
        hosts: ["h0", "h1", "h2", "h3"].map(fakeHost),
        probes: probes.map((m, i) => ({ member: m, hostIndex: i, containerName: m, localClientUrl: "http://127.0.0.1:2379" })),
        etcdctlFlags: [], auth: true,
    });
    const healthy = (docker: FakeDocker, m: string, host: string) => docker
        .answer(host, "inspect", { out: "running 0 false 0 2026-12-06T04:00:00Z\n" }, { out: "" })
        .answer(m, "health", { out: "127.0.0.1:2379 is healthy\n" }).answer(m, "status", status("111")).answer(m, "logs", { out: "" });

    it("names the learner, how far behind and since when, and what to do, as root with the password from the environment", () => {
        const docker = new FakeDocker();
        ["etcd-n1", "etcd-n2", "etcd-n3"].forEach((m, i) => healthy(docker, m, `h${i}`));
        docker.answer("etcd-n1", "member-list", { out: read("3.5.16-member-list-learner.json") })
            .answer("etcd-n1", "status-cluster", { out: read("3.5.16-status-learner-caught-up.json") })
            .answer("h3", "inspect", { out: "running 0 false 0 2026-12-06T04:00:00Z\n" }, { out: "" })
            .answer("etcd-n4", "health", { rc: 1, err: "Error: rpc error: code = Unavailable desc = etcdserver: rpc not supported for learner\n" })
            .answer("etcd-n4", "status", status("111")).answer("etcd-n4", "logs", { out: "" });
        const r = docker.run(secure(["etcd-n1", "etcd-n2", "etcd-n3", "etcd-n4"]), { ETCD_ROOT_PASSWORD: "pw" }, 60_000);
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/^Diagnosis:\n- etcd-n4 \(ID 12042d9526197bf9\) is a learner that was never promoted, for at least \d+ min \(its container started at 2026-12-06T04:00:00Z\): applied index 413 of the leader's 413 \(0 behind\), caught up\.\n {4}fix: deploy again, which promotes it through the leader; or by hand: etcdctl --endpoints=http:\/\/127\.0\.0\.1:25581 member promote 12042d9526197bf9/);
        expect(r.stdout).not.toContain("every member runs");
        expect(r.stdout).not.toContain("Note:");
        // As root, the password by name only.
        expect(r.calls.filter((c) => c.includes("member list"))[0]).toContain("exec -e ETCDCTL_USER etcd-n1");
        expect(r.calls.join("\n")).not.toContain("pw");
    });

    it("says how far behind a learner that has not caught up is", () => {
        const docker = new FakeDocker();
        ["etcd-n1", "etcd-n2", "etcd-n3"].forEach((m, i) => healthy(docker, m, `h${i}`));
        const behind = read("3.5.16-status-learner-caught-up.json").replace('"raftAppliedIndex":413,"dbSizeInUse":53248,"isLearner":true', '"raftAppliedIndex":100,"dbSizeInUse":53248,"isLearner":true');
        docker.answer("etcd-n1", "member-list", { out: read("3.5.16-member-list-learner.json") }).answer("etcd-n1", "status-cluster", { out: behind });
        const r = docker.run(secure(["etcd-n1", "etcd-n2", "etcd-n3"]), { ETCD_ROOT_PASSWORD: "pw" }, 60_000);
        expect(r.stdout).toContain("- etcd-n4 (ID 12042d9526197bf9) is a learner that was never promoted: applied index 100 of the leader's 413 (313 behind).\n    fix: it is still catching up;");
    });

    /**
     * etcd-n4 added as a learner that never started: etcdctl leaves out the name and client URLs of such a member (proto3
     * omits empty fields); its container on h3, in `state`, answers health with `health` and logs `logs`.
     */
    const neverStarted = (state: string, health: string, logs: string) => {
        const docker = new FakeDocker();
        ["etcd-n1", "etcd-n2", "etcd-n3"].forEach((m, i) => healthy(docker, m, `h${i}`));
        const unstarted = read("3.5.16-member-list-learner.json").replace('"name":"etcd-n4",', "").replace('"clientURLs":["http://127.0.0.1:25585"],', "");
        return docker.answer("etcd-n1", "member-list", { out: unstarted })
            .answer("etcd-n1", "status-cluster", { out: read("3.5.16-status-learner-caught-up.json") })
            .answer("h3", "inspect", { out: `${state} 2026-12-06T04:00:00Z\n` }, { out: "ETCD_INITIAL_ADVERTISE_PEER_URLS=http://127.0.0.1:25586\n" })
            .answer("etcd-n4", "health", { rc: 1, err: `${health}\n` })
            .answer("etcd-n4", "status", { rc: 1 }).answer("etcd-n4", "logs", { out: logs });
    };

    it("names a learner that never started by its member, from its peer URL, and says its container is paused", () => {
        const docker = neverStarted("paused 0 false 0", "Error response from daemon: container etcd-n4 is paused, unpause the container before exec", "");
        const r = docker.run(secure(["etcd-n1", "etcd-n2", "etcd-n3", "etcd-n4"]), { ETCD_ROOT_PASSWORD: "pw" }, 60_000);
        expect(r.stdout).toBe([
            "Diagnosis:",
            "- etcd-n4 (ID 12042d9526197bf9) was added as a learner but never started as a member of the cluster: its container exists, and etcd in it never reached the other members.",
            "    fix: see its container's state and log; once it runs, deploy again to promote it, or to give it up instead, drop it from members and deploy (its join removes it from the cluster)",
            "    its container is paused: unpause it: docker -H ssh://root@h3 unpause etcd-n4",
            "",
        ].join("\n"));
    });

    it("for a learner whose container is down, says first why it is down, then that it is a learner that never started", () => {
        const docker = neverStarted("restarting 1 false 4", "Error response from daemon: Container etcd-n4 is restarting, wait until the container is running",
            '{"level":"warn","msg":"failed to get cluster response","address":"http://127.0.0.1:25580/members","error":"Get \\"http://127.0.0.1:25580/members\\": dial tcp 127.0.0.1:25580: i/o timeout"}\n');
        const r = docker.run(secure(["etcd-n1", "etcd-n2", "etcd-n3", "etcd-n4"]), { ETCD_ROOT_PASSWORD: "pw" }, 60_000);
        const entries = r.stdout.split("\n- ");
        expect(entries[1]).toMatch(/^etcd-n4 \(container etcd-n4 on ssh:\/\/root@h3\): it keeps restarting \(4 restarts, last exit code 1\): connections to another member time out/);
        expect(entries[2]).toMatch(/^etcd-n4 \(ID 12042d9526197bf9\) was added as a learner but never started as a member of the cluster/);
        expect(entries).toHaveLength(3);
        // Restarting, it may have just started again and logged nothing yet: its last lines are read, whatever run.
        expect(r.calls.filter((c) => c.includes(" logs ") && c.endsWith(" etcd-n4"))).toEqual(["h3 logs --tail 300 etcd-n4"]);
        expect(r.calls.filter((c) => c.includes(" logs ") && c.endsWith(" etcd-n1"))).toEqual(["h0 logs --since 2026-12-06T04:00:00Z --tail 300 etcd-n1"]);
    });

    it("says plainly that it ran without root's credentials when the password is not in its environment", () => {
        const docker = new FakeDocker();
        ["etcd-n1", "etcd-n2", "etcd-n3"].forEach((m, i) => healthy(docker, m, `h${i}`));
        docker.answer("etcd-n1", "member-list", { rc: 1, err: "Error: etcdserver: user name is empty\n" });
        // A `pulumi` on PATH, as where users run the diagnosis: the note shows the command to get the password, never runs it.
        require("fs").writeFileSync(`${docker.dir}/bin/pulumi`, "#!/bin/sh\necho the-root-password\n", { mode: 0o755 });
        const r = docker.run(secure(["etcd-n1", "etcd-n2", "etcd-n3"]), {}, 60_000);
        expect(r.stdout).toMatch(/^Note: authentication is on and ETCD_ROOT_PASSWORD is not set, so this diagnosis ran without root's credentials\..*learners that were never promoted may go unseen/);
        expect(r.stdout).toContain('give root\'s password in the environment: ETCD_ROOT_PASSWORD="$(pulumi stack output --show-secrets rootPassword)" sh\n');
        expect(r.stdout + r.stderr).not.toContain("the-root-password");
        expect(r.calls.filter((c) => c.includes("ETCDCTL_USER"))).toEqual([]);
    });
});

it("names a full quota on etcd 3.6/3.7 from what endpoint health says, since their log does not (3.5 logged 'alarm raised')", () => {
    // Captured on the lab from 3.7.4 (tests/live/lab/capture-faults.sh): the member's log and etcdctl's answer.
    const fixture = (f: string) => require("fs").readFileSync(require("path").join(__dirname, "../diagnose/logs", f), "utf8") as string;
    const log = fixture("3.7-space-exceeded.log");
    expect(log).not.toMatch(/NOSPACE|space exceeded/);
    const [reason, summary] = fixture("3.7-space-exceeded.health").trim().split("\n");
    expect(reason).toMatch(/ is unhealthy: .*NOSPACE/);
    const docker = new FakeDocker();
    ["etcd-n1", "etcd-n2"].forEach((m, i) => docker
        .answer(`h${i}`, "inspect", { out: "running 0 false 0 2026-12-06T04:00:00Z\n" }, { out: "" })
        .answer(m, "health", { out: "127.0.0.1:2379 is healthy\n" }).answer(m, "status", status("111")).answer(m, "logs", { out: "" }));
    docker.answer("h2", "inspect", { out: "running 0 false 0 2026-12-06T04:00:00Z\n" }, { out: "" })
        .answer("etcd-n3", "health", { rc: 1, out: `${reason}\n`, err: `${summary}\n` })
        .answer("etcd-n3", "status", status("111")).answer("etcd-n3", "logs", { out: log });
    const r = docker.run(spec, {}, 60_000);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`- etcd-n3 (container etcd-n3 on ssh://root@h2): it does not answer endpoint health (${reason}): ` +
        "the database reached its quota (tuning.quotaBackendBytes): etcd now accepts only reads and deletes.\n    fix: compact and defragment");
});
