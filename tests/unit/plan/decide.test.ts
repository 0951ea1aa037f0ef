/**
 * The decisions the scripts take (components/plan/decide.js), table-tested on what etcdctl printed with `-w json` on
 * each etcd line of the lab (tools/capture-etcdctl-json.sh): two members n1 and n2 on one network; n2 first an
 * unstarted learner, then a started one, then a voter; then n2 stopped, so that n1 has no leader.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { drop, gate, health, initialCluster, members, own, promotion, report, self, statuses, successor, voters } from "../../../components/plan/decide";

const lines = ["3.4.23", "3.5.16", "3.5.36", "3.6.17", "3.7.4"];
const dir = path.join(__dirname, "etcdctl-json");
const peer = (n: number) => `http://capjson-n${n}:2380`;
const client = (n: number) => `http://capjson-n${n}:2379`;

describe.each(lines)("etcd %s", (version) => {
    const read = (what: string) => fs.readFileSync(path.join(dir, `${version}-${what}.json`), "utf8");
    const unstarted = read("member-list-unstarted-learner");
    const startedLearner = read("member-list-started-learner");
    const voting = read("member-list-voters");
    const withLearner = read("status-leader-and-learner");
    const bothVoting = read("status-voters");
    const noLeader = read("status-no-leader");
    // The IDs as etcdctl's table prints them (hex), read from the JSON's decimal digits by a regular expression.
    const idOf = (name: string) => BigInt(voting.match(new RegExp(`"ID":(\\d+),"name":"${name}"`))![1]).toString(16);
    const [n1, n2] = [idOf("n1"), idOf("n2")];
    // One member's status, as `endpoint status` of that member alone prints it.
    const alone = (text: string, id: string) => `[${text.trim().slice(1, -1).split(/,(?=\{"Endpoint")/).find((e) => e.includes(`"member_id":${BigInt(`0x${id}`)},`))}]`;

    it("reads member IDs beyond 2^53 digit for digit, and a member that never started as one with no name and no client URL", () => {
        expect(BigInt(`0x${n1}`) > BigInt(Number.MAX_SAFE_INTEGER) || BigInt(`0x${n2}`) > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
        expect(members(unstarted)).toEqual(expect.arrayContaining([
            { id: n2, name: "", peerURLs: [peer(2)], clientURLs: [], isLearner: true },
            { id: n1, name: "n1", peerURLs: [peer(1)], clientURLs: [client(1)], isLearner: false },
        ]));
        expect(statuses(withLearner).map((s) => [s.id, s.leader, s.isLearner, s.version])).toEqual(expect.arrayContaining([
            [n1, n1, false, version], [n2, n1, true, version],
        ]));
    });

    it("finds a member by its peer URL: unstarted, started, learner, voter, absent", () => {
        expect(self(unstarted, peer(2))).toBe(`${n2} unstarted learner`);
        expect(self(startedLearner, peer(2))).toBe(`${n2} started learner`);
        expect(self(voting, peer(2))).toBe(`${n2} started voter`);
        expect(self(voting, peer(3))).toBe("absent");
        expect(self("Error: context deadline exceeded", peer(2))).toBe("unknown");
    });

    it("gives a joining member every other member and itself as its initial cluster, an unstarted one by peer URL only", () => {
        const joining = initialCluster(unstarted, "n3", peer(3)).split(",");
        expect(joining.slice(-1)).toEqual([`n3=${peer(3)}`]);
        expect(joining.sort()).toEqual([`=${peer(2)}`, `n1=${peer(1)}`, `n3=${peer(3)}`]);
        // The learner itself, once added: its own entry (found by peer URL while it has no name) is not counted twice.
        expect(initialCluster(unstarted, "n2", peer(2))).toBe(`n1=${peer(1)},n2=${peer(2)}`);
    });

    it("removes a dropped member that never became a started voter, and leaves a voter to its leave", () => {
        expect(drop(unstarted, peer(2))).toBe(`remove ${n2}`);
        expect(drop(startedLearner, peer(2))).toBe(`remove ${n2}`);
        expect(drop(voting, peer(2))).toBe(`voter ${n2}`);
        expect(drop(voting, peer(3))).toBe("absent");
    });

    it("reads a member's own status: leader or follower, voter or learner", () => {
        expect(own(alone(bothVoting, n1))).toBe(`${n1} leader voter`);
        expect(own(alone(bothVoting, n2))).toBe(`${n2} follower voter`);
        expect(own(alone(withLearner, n2))).toBe(`${n2} follower learner`);
        expect(own(noLeader)).toBe(`${n1} follower voter`);
        expect(own("")).toBe("");
    });

    it("gates a member: ready once a caught-up voter with a leader, else says why", () => {
        const applied = statuses(bothVoting).find((s) => s.id === n2)!.appliedIndex;
        const leaders = statuses(bothVoting).find((s) => s.id === n1)!.appliedIndex;
        expect(gate(alone(bothVoting, n2), bothVoting, 10)).toBe(`ready ${n2} ${applied} ${leaders}`);
        expect(gate(alone(withLearner, n2), withLearner, 10)).toMatch(/^wait still a learner \(applied index \d+\)$/);
        expect(gate(noLeader, noLeader, 10)).toMatch(/^wait etcdserver: no leader \(applied index \d+\)$/);
        expect(gate(alone(bothVoting, n2), alone(bothVoting, n2), 10)).toMatch(/^wait no leader answers \(applied index \d+\)$/);
        expect(gate("", bothVoting, 10)).toBe("wait no endpoint status");
    });

    it("hands leadership to another voter, never to a learner", () => {
        expect(successor(bothVoting, n1)).toBe(n2);
        expect(successor(withLearner, n1)).toBe("");
    });

    it("lists the voters' client URLs, for endpoint status when a learner makes --cluster fail", () => {
        expect(voters(startedLearner)).toBe(client(1));
        expect(voters(voting).split(",").sort()).toEqual([client(1), client(2)]);
    });

    it("checks the cluster's health as one member saw it: healthy wanted members, the missing, the leaving, learners", () => {
        const healthy = read("health-voters");
        const both = [`n1 n2`, `${peer(1)} ${peer(2)}`] as const;
        expect(health(voting, healthy, ...both)).toBe("healthy 2\nmissing\nleaving\nlearners");
        expect(health(voting, healthy, "n1", peer(1))).toBe(`healthy 1\nmissing\nleaving n2(${n2})\nlearners`);
        expect(health(unstarted, "", ...both)).toBe(`healthy 0\nmissing n2\nleaving\nlearners <unnamed>(${n2})`);
        expect(health(voting, read("health-no-leader"), ...both)).toBe("healthy 0\nmissing\nleaving\nlearners");
    });

    it("reports the member list and endpoint health as etcdctl prints them without -w json", () => {
        expect(report(voting, read("health-voters")).split("\n")).toEqual(expect.arrayContaining([
            `${n1}, started, n1, ${peer(1)}, ${client(1)}, false`,
            expect.stringMatching(new RegExp(`^${client(2)} is healthy: successfully committed proposal: took = [0-9.]+m?s$`)),
        ]));
        expect(report(unstarted, read("health-no-leader")).split("\n")).toEqual(expect.arrayContaining([
            `${n2}, unstarted, , ${peer(2)}, , true`,
            `${client(1)} is unhealthy: failed to commit proposal: context deadline exceeded`,
        ]));
    });

    it("promotes a caught-up learner through the leader", () => {
        expect(promotion(startedLearner, withLearner, peer(2), 90)).toMatch(new RegExp(`^promote ${n2} n1 ${client(1)} \\d+ \\d+$`));
        expect(promotion(voting, bothVoting, peer(2), 90)).toBe(`voter ${n2}`);
    });
});

describe("the program the scripts run (node -e)", () => {
    const text = fs.readFileSync(path.join(__dirname, "../../../components/plan/decide.js"), "utf8");
    const run = (...args: string[]) => spawnSync(process.execPath, ["-e", `${text}\nmodule.exports.main(process.argv.slice(1));`, ...args], { encoding: "utf8" });

    it("reads @file arguments and prints the decision's line", () => {
        const r = run("self", `@${path.join(dir, "3.7.4-member-list-voters.json")}`, peer(2));
        expect(r.stderr).toBe("");
        expect(r.stdout).toMatch(/^[0-9a-f]+ started voter\n$/);
    });

    it("refuses a decision it does not have, naming the ones it has", () => {
        const r = run("promote");
        expect(r.status).not.toBe(0);
        expect(r.stderr).toMatch(/no decision "promote" \(self, initialCluster, drop, own, gate, successor, voters, promotion, health, report\)/);
    });
});
