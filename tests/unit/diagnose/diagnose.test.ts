/**
 * The diagnosis from real etcd logs: each fixture under logs/ is a member's log captured on the lab while the fault
 * was produced for real (etcd 3.4.23's text logger, 3.5.16's JSON), and the member's state as docker showed it.
 */
import * as fs from "fs";
import * as path from "path";
import { diagnose, diagnoseObservations } from "../../../components/diagnose/diagnose";
import { logRules } from "../../../components/diagnose/rules";

const logs = (file: string) => fs.readFileSync(path.join(__dirname, "logs", file), "utf8").split("\n").filter((l) => l !== "");
const rule = (id: string) => logRules.find((r) => r.id === id)!;

/** One member's observations: its state, a failed endpoint health, and its log. */
function observed(log: string[], state = "running 0 false 0"): string {
    return ["member etcd-n2 ssh://root@10.77.0.12 etcd-n2", `state ${state}`, "health fail context deadline exceeded", ...log.map((l) => `log ${l}`)].join("\n");
}

describe.each(["3.4", "3.5"])("etcd %s logs", (version) => {
    it.each<[string, string, string]>([
        ["peer-unreachable", "peer-refused", "running 0 false 0"],
        ["lost-quorum", "peer-refused", "running 0 false 0"],
        ["cluster-id-mismatch-self", "cluster-id-mismatch", "running 0 false 0"],
        ["cluster-id-mismatch-peer", "cluster-id-mismatch", "running 0 false 0"],
        ["member-removed", "member-removed", "restarting 0 false 4"],
        ["address-in-use", "address-in-use", "exited 1 false 0"],
        ["flag-and-env", "flag-and-env", "exited 1 false 0"],
        ["permission", "data-dir-permission", "exited 1 false 0"],
        ["space-exceeded", "space-exceeded", "running 0 false 0"],
        ["dns-srv-missing", "dns-srv-missing", "exited 1 false 0"],
        ["discovery-unreachable", "discovery-unreachable", "running 0 false 0"],
    ])("%s: %s", (fixture, id, state) => {
        const file = `${version}-${fixture}.log`;
        const out = diagnose(observed(logs(file), state));
        expect(out).toContain(rule(id).cause);
        expect(out).toContain(`fix: ${rule(id).fix}.`);
        const quoted = /\n {4}log: (.*)$/m.exec(out)![1].replace(/…$/, "");
        expect(new RegExp(rule(id).pattern).test(quoted) || logs(file).some((l) => l.startsWith(quoted) && new RegExp(rule(id).pattern).test(l))).toBe(true);
    });
});

describe("from the container's state and the cluster IDs", () => {
    const member = (name: string, ...facts: string[]) => [`member ${name} ssh://root@h1 ${name}`, ...facts].join("\n");
    const well = (name: string, cid = "100") => member(name, "state running 0 false 0", "health ok", `cid ${cid}`);

    it.each<[string, string, RegExp]>([
        ["a host whose Docker engine does not answer, in those words, with its URL",
            member("etcd-n1", "unreachable error during connect: Get \"http://docker.example.com/v1.50/containers/json\": command [ssh …] has exited with exit status 255"),
            /etcd-n1 \(container etcd-n1 on ssh:\/\/root@h1\): the Docker engine of host ssh:\/\/root@h1 cannot be reached \(docker said: error during connect/],
        ["a missing container", member("etcd-n1", "missing"), /its container does not exist on ssh:\/\/root@h1.*\n {4}fix: deploy again to recreate it/],
        ["an OOM kill", member("etcd-n1", "state exited 137 true 0", "health fail connection refused"), /the kernel killed it for lack of memory \(OOMKilled\).*\n {4}fix: raise resources\.memoryMb/],
        ["a stopped container without a known cause", member("etcd-n1", "state exited 0 false 0", "health fail connection refused", "log plain shutdown"),
            /its container is exited \(exit code 0\)\.\n {4}fix: start it \(docker -H ssh:\/\/root@h1 start etcd-n1\)/],
        ["a running member that does not answer, nothing in its log", member("etcd-n1", "state running 0 false 0", "health fail context deadline exceeded"),
            /it does not answer endpoint health \(context deadline exceeded\); nothing known in its log/],
    ])("%s", (_label, text, pattern) => {
        expect(diagnose(text)).toMatch(pattern);
    });

    it("names the member whose cluster ID differs from the majority's as belonging to another cluster", () => {
        const out = diagnose([well("etcd-n1", "111"), well("etcd-n2", "222"), well("etcd-n3", "111")].join("\n"));
        expect(out).toBe("Diagnosis:\n- etcd-n2 (container etcd-n2 on ssh://root@h1): it belongs to another cluster: its cluster ID is 222, the other members' is 111; " +
            "its data volume holds another cluster's data.\n    fix: delete its container and data volume and deploy again: it then joins this cluster as a new member.\n");
    });

    it("says the members disagree when no majority says which cluster is right", () => {
        const out = diagnose([well("etcd-n1", "111"), well("etcd-n2", "222"), member("etcd-n3", "missing")].join("\n"));
        expect(out).toMatch(/the members disagree on the cluster ID \(etcd-n1: 111, etcd-n2: 222\) and no majority says which is right/);
        expect(out).toMatch(/etcd-n3 .*its container does not exist/);
    });

    it("says every member is well when it is, and counts a refused question (auth, no password) as an answer", () => {
        expect(diagnose([well("etcd-n1"), member("etcd-n2", "state running 0 false 0", "health fail Error: etcdserver: user name is empty", "cid 100")].join("\n")))
            .toBe("Diagnosis: every member runs and answers endpoint health, all with cluster ID 100.\n");
    });

    it("takes the most specific cause in the log, quoting its latest line, whatever came after", () => {
        const out = diagnoseObservations(observed(["x connection refused 1", "y address already in use", "z connection refused 2"], "exited 1 false 0"), logRules);
        expect(out).toContain(rule("address-in-use").cause);
        expect(out).toContain("log: y address already in use");
    });

    it("runs from its own source text alone, as the scripts run it with node", () => {
        const rebuilt = new Function(`return (${diagnoseObservations.toString()})`)() as typeof diagnoseObservations;
        const text = observed(["a is starting a new election at term 5"]);
        expect(rebuilt(text, logRules)).toBe(diagnoseObservations(text, logRules));
    });
});
