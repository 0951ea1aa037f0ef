/**
 * The diagnosis from real etcd logs: each fixture under logs/ is a member's log captured on the lab while the fault
 * was produced for real (etcd 3.4.23's text logger, the JSON of 3.5.16, 3.6.17 and 3.7.4; tests/live/lab/capture-faults.sh
 * makes them for an image of the lab), and the member's state as docker showed it.
 */
import * as fs from "fs";
import * as path from "path";
import { diagnose, diagnoseObservations } from "../../../components/diagnose/diagnose";
import { logRules } from "../../../components/diagnose/rules";

const logs = (file: string) => fs.readFileSync(path.join(__dirname, "logs", file), "utf8").split("\n").filter((l) => l !== "");
const rule = (id: string) => logRules.find((r) => r.id === id)!;

/** One member's observations: its state, a failed endpoint health, and its log. */
function observed(log: string[], state = "running 0 false 0", health = "fail context deadline exceeded"): string {
    return ["member etcd-n2 ssh://root@10.77.0.12 etcd-n2", `state ${state}`, `health ${health}`, ...log.map((l) => `log ${l}`)].join("\n");
}
/** From 3.6 a full quota is logged nowhere: only endpoint health says it (fixture <version>-space-exceeded.health). */
const quotaInLog = (version: string) => version === "3.4" || version === "3.5";

describe.each(["3.4", "3.5", "3.6", "3.7"])("etcd %s logs", (version) => {
    it.each<[string, string, string]>([
        ["peer-unreachable", "peer-refused", "running 0 false 0"],
        ["lost-quorum", "peer-refused", "running 0 false 0"],
        ["cluster-id-mismatch-self", "cluster-id-mismatch", "running 0 false 0"],
        ["cluster-id-mismatch-peer", "cluster-id-mismatch", "running 0 false 0"],
        ["member-removed", "member-removed", "restarting 0 false 4"],
        ["address-in-use", "address-in-use", "exited 1 false 0"],
        ["flag-and-env", "flag-and-env", "exited 1 false 0"],
        ["permission", "data-dir-permission", "exited 1 false 0"],
        ["dns-srv-missing", "dns-srv-missing", "exited 1 false 0"],
        ["discovery-unreachable", "discovery-unreachable", "running 0 false 0"],
        ...(quotaInLog(version) ? [["space-exceeded", "space-exceeded", "running 0 false 0"] as [string, string, string]] : []),
    ])("%s: %s", (fixture, id, state) => {
        const file = `${version}-${fixture}.log`;
        const out = diagnose(observed(logs(file), state));
        expect(out).toContain(rule(id).cause);
        expect(out).toContain(`fix: ${rule(id).fix}.`);
        // The quoted line is one of the member's own that matches the rule (3.5's JSON shown as time, level, message, fields).
        const quoted = /\n {4}log: (.*)$/m.exec(out)![1].replace(/…$/, "");
        expect(new RegExp(rule(id).pattern).test(quoted)).toBe(true);
    });
});

describe.each(["3.6", "3.7"])("etcd %s: a full quota", (version) => {
    const health = fs.readFileSync(path.join(__dirname, "logs", `${version}-space-exceeded.health`), "utf8").split("\n").filter((l) => l !== "");

    it("is not in the member's log, only in what endpoint health says (3.5 logged 'alarm raised')", () => {
        expect(logs(`${version}-space-exceeded.log`).filter((l) => new RegExp(rule("space-exceeded").pattern).test(l))).toEqual([]);
        expect(health[0]).toMatch(/ is unhealthy: failed to commit proposal: Active Alarm\(s\): NOSPACE/);
    });

    it("is named from endpoint health's reason, with its fix", () => {
        const out = diagnose(observed(logs(`${version}-space-exceeded.log`), "running 0 false 0", `fail ${health[0]}`));
        expect(out).toContain(`it does not answer endpoint health (${health[0]}): ${rule("space-exceeded").cause}.`);
        expect(out).toContain(`fix: ${rule("space-exceeded").fix}.`);
        expect(out).not.toContain("log:");
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

describe.each(["3.4", "3.5", "3.6", "3.7"])("etcd %s with TLS: the third member has the first one's certificate (valid for 10.77.0.13, not its 10.77.0.15)", (version) => {
    const block = (n: number, address: string, health: string, file: string) => [
        `member etcd-n${n} ssh://root@h${n} etcd-n${n}`, "state running 0 false 0", `addr ${address}`, `health ${health}`, ...logs(file).map((l) => `log ${l}`),
    ].join("\n");

    it("names the third member with its peers' complaint, not its own bad handshakes", () => {
        const out = diagnose([block(1, "10.77.0.13", "ok", `${version}-tls-n1.log`), block(3, "10.77.0.15", "fail Error: unhealthy cluster", `${version}-tls-n3.log`)].join("\n"));
        expect(out).toContain(`- etcd-n3 (container etcd-n3 on ssh://root@h3): it does not answer endpoint health (Error: unhealthy cluster): ${rule("tls-name-mismatch").cause}.`);
        expect(out).toMatch(/\n {4}log: .*certificate is valid for 10\.77\.0\.13, 127\.0\.0\.1, not 10\.77\.0\.15/);
        expect(out).not.toContain("- etcd-n1 ");
    });

    it("without its peers' logs, says only what the member itself sees: a failed handshake", () => {
        expect(diagnose(block(3, "10.77.0.15", "fail Error: unhealthy cluster", `${version}-tls-n3.log`))).toContain(rule("tls-handshake").cause);
    });
});

/**
 * Every row of the table against a line that says it: captured on the lab where the fixtures above hold one, else the
 * text of the message as etcd or Go's crypto/x509 and net packages write it (etcd v2discovery ErrFullCluster;
 * x509.UnknownAuthorityError, CertificateInvalidError with Expired; net's i/o timeout).
 */
it.each<[string, string]>([
    ["flag-and-env", '2026-11-25 02:19:08.995840 C | pkg/flags: conflicting environment variable "ETCD_NAME" is shadowed by corresponding command-line flag (either unset environment variable or disable flag)'],
    ["data-dir-permission", "2026-11-25 02:19:23.349612 C | etcdmain: cannot access data directory: mkdir /var/lib/etcd/data: permission denied"],
    ["space-exceeded", '{"level":"warn","ts":"2026-11-25T02:18:05.458505Z","caller":"etcdserver/apply.go:752","msg":"alarm raised","alarm":"NOSPACE","from":"ede8d7f0a5d75be6"}'],
    ["address-in-use", "2026-11-25 02:19:04.768210 C | etcdmain: listen tcp 0.0.0.0:38380: bind: address already in use"],
    ["member-removed", '{"level":"warn","ts":"2026-11-25T02:15:28.751382Z","caller":"etcdserver/server.go:1155","msg":"data-dir used by this member must be removed"}'],
    ["cluster-id-mismatch", '{"level":"warn","ts":"2026-11-25T02:15:37.1Z","caller":"rafthttp/http.go:500","msg":"request cluster ID mismatch","local-member-id":"a","local-member-cluster-id":"b","local-member-server-version":"3.5.16","remote-peer-server-name":"c","remote-peer-cluster-id":"d"}'],
    ["tls-unknown-authority", 'rejected connection from "10.0.0.2:41234" (error "tls: failed to verify certificate: x509: certificate signed by unknown authority", ServerName "")'],
    ["tls-name-mismatch", "tls: failed to verify certificate: x509: certificate is valid for 10.77.0.13, 127.0.0.1, not 10.77.0.15"],
    ["tls-expired", "x509: certificate has expired or is not yet valid: current time 2036-01-01T00:00:00Z is after 2035-11-22T10:00:00Z"],
    ["tls-handshake", '{"level":"warn","msg":"rejected connection on peer endpoint","remote-addr":"10.77.0.13:44558","server-name":"","error":"remote error: tls: bad certificate"}'],
    ["discovery-full", "2026-11-25 02:20:25.858527 C | etcdmain: discovery: cluster is full"],
    ["discovery-unreachable", "2026-11-25 02:20:25.858527 E | discovery: error #0: dial tcp 10.77.0.15:39999: connect: connection refused"],
    ["discovery-unreachable", '{"level":"warn","ts":"2026-12-06T04:44:49.965009Z","caller":"v3discovery/discovery.go:237","msg":"failed to get cluster size from discovery service","discovery-token":"abc","discovery-endpoints":"http://10.77.0.15:24799","clusterSizeKey":"/_etcd/registry/abc/_config/size","error":"context deadline exceeded"}'],
    ["dns-srv-missing", "2026-11-25 02:19:35.370056 C | etcdmain: error setting up initial cluster: lookup y5.nowhere.lab on 127.0.0.1:53: read udp 127.0.0.1:51672->127.0.0.1:53: read: connection refused"],
    ["io-timeout", '{"level":"warn","msg":"prober detected unhealthy status","error":"dial tcp 10.77.0.12:2380: i/o timeout"}'],
    ["peer-refused", '{"level":"warn","msg":"prober detected unhealthy status","error":"dial tcp 10.77.0.15:38580: connect: connection refused"}'],
    ["no-leader", "2026-11-25 02:14:59.1 I | raft: 231be1b0f70ac921 is starting a new election at term 14"],
])("rule %s: its line alone gives its cause", (id, line) => {
    expect(logRules.map((r) => r.id)).toContain(id);
    expect(diagnose(observed([line]))).toContain(rule(id).cause);
});

it("every rule of the table is covered above", () => {
    expect(logRules.map((r) => r.id).sort()).toEqual([
        "address-in-use", "cluster-id-mismatch", "data-dir-permission", "discovery-full", "discovery-unreachable", "dns-srv-missing", "flag-and-env",
        "io-timeout", "member-removed", "no-leader", "peer-refused", "space-exceeded", "tls-expired", "tls-handshake", "tls-name-mismatch", "tls-unknown-authority",
    ]);
});
