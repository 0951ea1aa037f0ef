/** A member's join and promote commands, run for real under /bin/sh against a fake docker. */
import { joinDeleteScript, joinScript, JoinSpec, promoteScript } from "../../../components/scripts/join";
import { MemberEntry, memberEntry, memberListJson } from "../etcdctlJson";
import { FakeDocker, fakeHost } from "./fakeDocker";

const running = ["etcd-n1", "etcd-n2", "etcd-n3"];
const peer = (i: number) => `http://10.77.0.1${i}:2380`;
const client = (i: number) => `http://10.77.0.1${i}:2379`;
const spec = (over: Partial<JoinSpec> = {}): JoinSpec => ({
    clusterName: "seed",
    member: "etcd-n4",
    peerUrl: peer(4),
    role: "join",
    foundingLines: "",
    hosts: ["h0", "h1", "h2"].map(fakeHost),
    probes: running.map((n, i) => ({ member: n, hostIndex: i, containerName: n, localClientUrl: "http://127.0.0.1:2379" })),
    containerName: "etcd-n4",
    etcdctlFlags: [],
    auth: false,
    timeoutSeconds: 2,
    ...over,
});
const three = running.map((n, i) => memberEntry(`a${i + 1}`, n, peer(i + 1), client(i + 1)));
const list = (...extra: MemberEntry[]) => memberListJson(...three, ...extra);
const added = memberEntry("b4", "", peer(4), "", true);
const joinedLines = `ETCD_INITIAL_CLUSTER=etcd-n1=${peer(1)},etcd-n2=${peer(2)},etcd-n3=${peer(3)},etcd-n4=${peer(4)}\nETCD_INITIAL_CLUSTER_STATE=existing\n`;
const adds = (calls: string[]) => calls.filter((c) => c.includes("member add"));
/** An existing member reads its own container, on its own host among all of them (the fourth here). */
const ownProbe = {
    hosts: ["h0", "h1", "h2", "h3"].map(fakeHost),
    probes: [{ member: "etcd-n4", hostIndex: 3, containerName: "etcd-n4", localClientUrl: "http://127.0.0.1:2379" }],
};

describe("joinScript, role join", () => {
    it("adds the member as a learner once and prints the started members and itself, state existing", () => {
        const docker = new FakeDocker()
            .answer("etcd-n1", "member-list", { out: list() }, { out: list(added) })
            .answer("etcd-n1", "add", { out: "Member b4 added to cluster 1c45a069f3a1d796\n" });
        const r = docker.run(joinScript(spec()));
        expect(r.code).toBe(0);
        expect(r.stdout).toBe(joinedLines);
        expect(adds(r.calls)).toEqual([`h0 exec etcd-n1 /usr/local/bin/etcdctl --endpoints=http://127.0.0.1:2379 --command-timeout=10s member add etcd-n4 --peer-urls=${peer(4)} --learner`]);
        expect(r.stderr).toContain("etcd member etcd-n4 added to cluster seed as a learner (through etcd-n1)");
    });

    it.each([
        ["added by an earlier, interrupted deployment (unstarted, found by its peer URL)", added],
        ["added and started by an earlier deployment", memberEntry("b4", "etcd-n4", peer(4), client(4), true)],
    ])("does not add a member %s again", (_case, line) => {
        const docker = new FakeDocker().answer("etcd-n1", "member-list", { out: list(line) });
        const r = docker.run(joinScript(spec()));
        expect(r.code).toBe(0);
        expect(r.stdout).toBe(joinedLines);
        expect(adds(r.calls)).toEqual([]);
        expect(r.stderr).toContain("etcd member etcd-n4 is already in cluster seed");
    });

    /**
     * etcd starts a member with state existing only when its --initial-cluster has exactly the cluster's members
     * (ValidateClusterAndAssignIDs: "member count is unequal", then peer URLs matched one by one); `etcdctl member
     * add` therefore prints every member, an unstarted one as `=<peer URL>`. The script leaves unstarted members
     * other than itself out, so a member joining while another (e.g. one added by hand, which this deployment
     * removes afterwards) has not started cannot start.
     */
    it("puts another member that has not started yet in the initial cluster, as etcdctl member add does", () => {
        const docker = new FakeDocker().answer("etcd-n1", "member-list", { out: list(memberEntry("c5", "", peer(5), "", false), added) });
        const r = docker.run(joinScript(spec()));
        const initial = /^ETCD_INITIAL_CLUSTER=(.*)$/m.exec(r.stdout)![1].split(",").sort();
        expect(initial).toEqual([`=${peer(5)}`, `etcd-n1=${peer(1)}`, `etcd-n2=${peer(2)}`, `etcd-n3=${peer(3)}`, `etcd-n4=${peer(4)}`]);
    });

    it("does not add twice when an add that timed out was applied after all", () => {
        const docker = new FakeDocker()
            .answer("etcd-n1", "member-list", { out: list() }, { out: list(added) })
            .answer("etcd-n1", "add", { rc: 1, err: "Error: context deadline exceeded\n" });
        const r = docker.run(joinScript(spec()));
        expect(r.code).toBe(0);
        expect(r.stdout).toBe(joinedLines);
        expect(adds(r.calls)).toHaveLength(1);
    });

    it("asks the next running member when the first does not answer, and adds through it", () => {
        const docker = new FakeDocker()
            .answer("etcd-n1", "member-list", { rc: 1, err: "Error: context deadline exceeded\n" })
            .answer("etcd-n2", "member-list", { out: list() }, { out: list(added) })
            .answer("etcd-n2", "add", { out: "Member b4 added\n" });
        const r = docker.run(joinScript(spec()));
        expect(r.code).toBe(0);
        expect(r.stdout).toBe(joinedLines);
        expect(adds(r.calls)).toEqual([expect.stringMatching(/^h1 exec etcd-n2 .* member add etcd-n4 /)]);
    });

    it("fails, saying why, when no member answers within the timeout", () => {
        const docker = new FakeDocker().down("h0").down("h1").answer("etcd-n3", "member-list", { rc: 1, err: "Error: etcdserver: no leader\n" });
        const r = docker.run(joinScript(spec()));
        expect(r.code).toBe(1);
        expect(r.stdout).toBe("");
        expect(r.stderr).toContain("etcd member etcd-n4 cannot join cluster seed: no member answers member list within 2s (etcd-n3: Error: etcdserver: no leader)");
    });

    it("fails when member add keeps failing, printing no variables", () => {
        const docker = new FakeDocker()
            .answer("etcd-n1", "member-list", { out: list() })
            .answer("etcd-n1", "add", { rc: 1, err: "Error: etcdserver: too many learner members in cluster\n" });
        const r = docker.run(joinScript(spec()));
        expect(r.code).toBe(1);
        expect(r.stdout).toBe("");
        expect(r.stderr).toContain("etcd member etcd-n4: member add failed in cluster seed: Error: etcdserver: too many learner members in cluster");
    });
});

describe("joinScript, other roles", () => {
    it("found: prints the founding lines, touching no docker", () => {
        const lines = `ETCD_INITIAL_CLUSTER=etcd-n1=${peer(1)}\nETCD_INITIAL_CLUSTER_STATE=new`;
        const r = new FakeDocker().run(joinScript(spec({ role: "found", foundingLines: lines })));
        expect(r.code).toBe(0);
        expect(r.stdout).toBe(`${lines}\n`);
        expect(r.calls).toEqual([]);
    });

    it("existing: prints the bootstrap variables the member's container was started with, nothing else", () => {
        const env = ["PATH=/usr/local/sbin:/usr/local/bin", "ETCD_NAME=etcd-n4", "ETCD_INITIAL_CLUSTER_STATE=new", "ETCD_DISCOVERY_SRV=etcd.lab",
            "ETCD_INITIAL_CLUSTER_TOKEN=tok", "ETCD_DISCOVERY_SRV_NAME=prod", ""].join("\n");
        const docker = new FakeDocker().answer("h3", "inspect", { out: env });
        const r = docker.run(joinScript(spec({ role: "existing", ...ownProbe })));
        expect(r.code).toBe(0);
        expect(r.stdout).toBe("ETCD_INITIAL_CLUSTER_STATE=new\nETCD_DISCOVERY_SRV=etcd.lab\nETCD_DISCOVERY_SRV_NAME=prod\n");
        expect(r.calls).toEqual([expect.stringMatching(/^h3 inspect -f .* etcd-n4$/)]);
    });

    it("existing: fails when the container cannot be inspected", () => {
        const docker = new FakeDocker().answer("h3", "inspect", { rc: 1, err: "Error: No such object: etcd-n4\n" });
        const r = docker.run(joinScript(spec({ role: "existing", ...ownProbe })));
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/etcd member etcd-n4: cannot read the environment of its container etcd-n4/);
    });
});

describe("promoteScript", () => {
    // etcdctl's JSON as 3.5 prints it (tests/unit/plan/etcdctl-json has captured output): member IDs are decimal uint64s.
    const ids = ["16528652834383825186", "11037955213000660210", "1764636180931543497", "1298212711202126841", "9000000000000000001"];
    const hex = (i: number) => BigInt(ids[i - 1]).toString(16);
    const name = (i: number) => `etcd-n${i}`;
    const memberJson = (i: number, learner = false) =>
        `{"ID":${ids[i - 1]},"name":"${name(i)}","peerURLs":["${peer(i)}"],"clientURLs":["${client(i)}"]${learner ? ',"isLearner":true' : ""}}`;
    const listJson = (n4: "learner" | "voter" | "absent", extra: number[] = []) => `{"header":{"cluster_id":1,"member_id":${ids[0]},"raft_term":2},"members":[` +
        [...[1, 2, 3, ...extra].map((i) => memberJson(i)), ...(n4 === "absent" ? [] : [memberJson(4, n4 === "learner")])].join(",") + "]}\n";
    /** Every member's status; `leader` is who they follow, `mine` the learner's applied index. */
    const statusJson = (o: { leader: number; mine?: number; lead?: number; members?: number[] }) => "[" + (o.members ?? [1, 2, 3, 4]).map((i) =>
        `{"Endpoint":"${client(i)}","Status":{"header":{"cluster_id":1,"member_id":${ids[i - 1]},"revision":50,"raft_term":2},"version":"3.5.16",` +
        `"dbSize":20480,"leader":${ids[o.leader - 1]},"raftIndex":100,"raftTerm":2,"raftAppliedIndex":${i === 4 ? o.mine ?? 100 : o.lead ?? 100}${i === 4 ? ',"isLearner":true' : ""}}}`).join(",") + "]\n";
    const promotes = (calls: string[]) => calls.filter((c) => c.includes("member promote"));
    const promoted = { out: `Member ${hex(4)} promoted in cluster 1c45a069f3a1d796\n` };

    it.each([[90, true], [95, true], [100, true], [89, false], [0, false]])(
        "with the learner at applied index %i of the leader's 100, promotes: %s", (mine, ready) => {
            const docker = new FakeDocker()
                .answer("etcd-n1", "member-list", { out: listJson("learner") })
                .answer("etcd-n1", "status-cluster", { out: statusJson({ leader: 1, mine }) })
                .answer("etcd-n1", "promote", promoted);
            const r = docker.run(promoteScript(spec({ timeoutSeconds: ready ? 5 : 1 })));
            if (ready) {
                expect(r.code).toBe(0);
                expect(r.stdout).toContain(`etcd member etcd-n4 (${hex(4)}) promoted from learner at applied index ${mine} of the leader's 100 (through the leader etcd-n1)`);
                expect(promotes(r.calls)).toEqual([`h0 exec etcd-n1 /usr/local/bin/etcdctl --endpoints=http://127.0.0.1:2379 --command-timeout=5s member promote ${hex(4)}`]);
            } else {
                expect(r.code).toBe(1);
                expect(r.stderr).toContain(`etcd member etcd-n4 (cluster seed) was not promoted within 1s: learner ${hex(4)}: catching up: applied index ${mine} of the leader's 100`);
                expect(promotes(r.calls)).toEqual([]);
            }
        });

    it("sends the promote to the leader when the member that answered is a follower (never to the follower)", () => {
        const docker = new FakeDocker()
            .answer("etcd-n1", "member-list", { out: listJson("learner") })
            .answer("etcd-n1", "status-cluster", { out: statusJson({ leader: 2 }) })
            .answer("etcd-n2", "promote", promoted);
        const r = docker.run(promoteScript(spec({ auth: true })), { ETCD_ROOT_PASSWORD: "pw" });
        expect(r.code).toBe(0);
        expect(r.stdout).toContain("(through the leader etcd-n2)");
        // As root, the password by name only.
        expect(promotes(r.calls)).toEqual([`h1 exec -e ETCDCTL_USER etcd-n2 /usr/local/bin/etcdctl --endpoints=http://127.0.0.1:2379 --command-timeout=5s member promote ${hex(4)}`]);
        expect(r.calls.join("\n")).not.toContain("pw");
    });

    it("asks again when leadership moves between the status and the promote", () => {
        const docker = new FakeDocker()
            .answer("etcd-n1", "member-list", { out: listJson("learner") })
            .answer("etcd-n1", "status-cluster", { out: statusJson({ leader: 2 }) }, { out: statusJson({ leader: 3 }) })
            .answer("etcd-n2", "promote", { rc: 1, err: "Error: etcdserver: request timed out\n" })
            .answer("etcd-n3", "promote", promoted);
        const r = docker.run(promoteScript(spec({ timeoutSeconds: 10 })));
        expect(r.code).toBe(0);
        expect(r.stdout).toContain("(through the leader etcd-n3)");
        expect(promotes(r.calls).map((c) => c.split(" ")[2])).toEqual(["etcd-n2", "etcd-n3"]);
    });

    it("reaches a leader that is none of the members asked (one this deployment removes) at its client URL", () => {
        const docker = new FakeDocker()
            .answer("etcd-n1", "member-list", { out: listJson("learner", [5]) })
            .answer("etcd-n1", "status-cluster", { out: statusJson({ leader: 5, members: [1, 2, 3, 4, 5] }) })
            .answer("etcd-n1", "promote", promoted);
        const r = docker.run(promoteScript(spec()));
        expect(r.code).toBe(0);
        expect(promotes(r.calls)).toEqual([`h0 exec etcd-n1 /usr/local/bin/etcdctl --endpoints=${client(5)} --command-timeout=5s member promote ${hex(4)}`]);
    });

    it("waits for the learner to catch up, then promotes it once", () => {
        const docker = new FakeDocker()
            .answer("etcd-n1", "member-list", { out: listJson("learner") })
            .answer("etcd-n1", "status-cluster", { out: statusJson({ leader: 1, mine: 10 }) }, { out: statusJson({ leader: 1, mine: 97 }) })
            .answer("etcd-n1", "promote", promoted);
        const r = docker.run(promoteScript(spec({ timeoutSeconds: 10 })));
        expect(r.code).toBe(0);
        expect(r.stdout).toContain("promoted from learner at applied index 97 of the leader's 100");
        expect(promotes(r.calls)).toHaveLength(1);
    });

    it("leaves a member that already votes alone", () => {
        const docker = new FakeDocker().answer("etcd-n1", "member-list", { out: listJson("voter") }).answer("etcd-n1", "status-cluster", { out: statusJson({ leader: 1 }) });
        const r = docker.run(promoteScript(spec()));
        expect(r.code).toBe(0);
        expect(r.stdout).toContain(`etcd member etcd-n4 (${hex(4)}) is a voting member`);
        expect(promotes(r.calls)).toEqual([]);
    });

    it("fails when the member is not in the member list, or no member answers", () => {
        const absent = new FakeDocker().answer("etcd-n1", "member-list", { out: listJson("absent") }).answer("etcd-n1", "status-cluster", { out: statusJson({ leader: 1 }) })
            .run(promoteScript(spec({ timeoutSeconds: 1 })));
        expect(absent.code).toBe(1);
        expect(absent.stderr).toContain("was not promoted within 1s: not in the member list (asked etcd-n1)");
        const silent = new FakeDocker().run(promoteScript(spec({ timeoutSeconds: 1 })));
        expect(silent.code).toBe(1);
        expect(silent.stderr).toContain("was not promoted within 1s: etcd-n3: fake docker: no answer for member-list of etcd-n3");
    });

    it("finishes a member that an earlier deployment left a learner (role existing), through the other running members", () => {
        const docker = new FakeDocker()
            .answer("etcd-n1", "member-list", { out: listJson("learner") })
            .answer("etcd-n1", "status-cluster", { out: statusJson({ leader: 3 }) })
            .answer("etcd-n3", "promote", promoted);
        const r = docker.run(promoteScript(spec({ role: "existing", learner: true })));
        expect(r.code).toBe(0);
        expect(promotes(r.calls)).toHaveLength(1);
    });

    it.each(["found", "existing"] as const)("does nothing for a %s member that is no learner", (role) => {
        const r = new FakeDocker().run(promoteScript(spec({ role })));
        expect(r.code).toBe(0);
        expect(r.stdout).toBe("etcd member etcd-n4: not a joining member, nothing to promote\n");
        expect(r.calls).toEqual([]);
    });
});

describe("joinDeleteScript: the member is dropped from the program", () => {
    const removes = (calls: string[]) => calls.filter((c) => c.includes("member remove"));
    it.each([
        ["added but never started", added, ["member remove b4"]],
        ["started as a learner but never promoted", memberEntry("b4", "etcd-n4", peer(4), client(4), true), ["member remove b4"]],
        ["a promoted voter (its leave removes it)", memberEntry("b4", "etcd-n4", peer(4), client(4), false), []],
        ["no longer in the cluster (its leave removed it)", undefined, []],
    ])("when it was %s, removes it only if it never became a voter", (_case, line, expected) => {
        const docker = new FakeDocker()
            .answer("etcd-n1", "member-list", { out: line ? list(line) : list() })
            .answer("etcd-n1", "remove", { out: "Member b4 removed from cluster 1c45a069f3a1d796\n" });
        const r = docker.run(joinDeleteScript(spec()));
        expect(r.code).toBe(0);
        expect(removes(r.calls).map((c) => c.replace(/.* (member remove \w+)$/, "$1"))).toEqual(expected);
    });

    it("succeeds, saying so, when no member answers (the health check then names the stray learner)", () => {
        const docker = new FakeDocker().answer("etcd-n1", "member-list", { rc: 1, err: "Error: context deadline exceeded\n" });
        const r = docker.run(joinDeleteScript(spec({ probes: spec().probes.slice(0, 1), timeoutSeconds: 1 })));
        expect(r.code).toBe(0);
        expect(r.stderr).toContain("could not check or remove it from cluster seed");
    });

    it("does nothing for a member that founded the cluster or was adopted", () => {
        expect(new FakeDocker().run(joinDeleteScript(spec({ role: "found" }))).calls).toEqual([]);
    });
});
