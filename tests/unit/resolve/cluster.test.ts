import { EtcdClusterArgs } from "../../../components/args";
import { resolveClusterArgs } from "../../../components/resolve/cluster";
import { problemsOf } from "../fixtures";

const threeHosts: EtcdClusterArgs = {
    hosts: [
        { name: "h1", url: "ssh://root@10.0.0.137" },
        { name: "h2", url: "ssh://root@10.0.0.138" },
        { name: "h3", url: "ssh://root@10.0.0.139" },
    ],
    members: [
        { name: "etcd-n1", host: "h1" },
        { name: "etcd-n2", host: "h2" },
        { name: "etcd-n3", host: "h3" },
    ],
};


describe("defaults", () => {
    it("rolls changes with a 180 s gate, 30 s to stop, a 1000-entry lag bound and snapshots in etcd-snapshots", () => {
        expect(resolveClusterArgs("test", threeHosts).rollout).toEqual({ memberTimeoutSeconds: 180, maxAppliedLag: 1000, stopGraceSeconds: 30, snapshotDir: "etcd-snapshots", snapshotBeforeChanges: true });
        expect(resolveClusterArgs("test", { ...threeHosts, rollout: { stopGraceSeconds: 60 } }).rollout.stopGraceSeconds).toBe(60);
    });

    it("derives addresses from ssh urls and applies etcd's default ports", () => {
        const c = resolveClusterArgs("test", threeHosts);
        expect(c.members.map((m) => [m.name, m.host.name, m.address, m.clientPort, m.peerPort, m.containerName, m.volumeName])).toEqual([
            ["etcd-n1", "h1", "10.0.0.137", 2379, 2380, "etcd-n1", "etcd-n1-data"],
            ["etcd-n2", "h2", "10.0.0.138", 2379, 2380, "etcd-n2", "etcd-n2-data"],
            ["etcd-n3", "h3", "10.0.0.139", 2379, 2380, "etcd-n3", "etcd-n3-data"],
        ]);
        expect(c.image).toBe("gcr.io/etcd-development/etcd:v3.6.17");
        expect(c.version).toEqual({ major: 3, minor: 6, patch: 17 });
        expect(c.networkMode).toBe("host");
        expect(c.restartPolicy).toBe("unless-stopped");
        expect(c.healthCheck).toEqual({ enabled: true, timeoutSeconds: 120 });
        expect(c.warnings).toEqual([]);
    });

    it("uses the local engine and 127.0.0.1 when no host is given", () => {
        const c = resolveClusterArgs("t", { members: [{ name: "a" }] });
        expect(c.hosts.map((h) => h.url)).toEqual(["unix:///var/run/docker.sock"]);
        expect(c.members[0].address).toBe("127.0.0.1");
    });

    it("warns, without failing, about an even member count and about hosts without members", () => {
        const c = resolveClusterArgs("t", {
            hosts: [{ name: "a", url: "unix:///var/run/docker.sock" }, { name: "b", url: "ssh://u@10.1.1.1" }],
            members: [{ name: "m1", host: "a", clientPort: 1, peerPort: 2 }, { name: "m2", host: "a", clientPort: 3, peerPort: 4 }],
        });
        expect(c.warnings).toHaveLength(2);
        expect(c.warnings[0]).toMatch(/2 members: an even count tolerates no more failures than 1 member does.*use 1 or 3/);
        expect(c.warnings[1]).toMatch(/host "b" \(ssh:\/\/u@10.1.1.1\) runs no member/);
        expect(c.hosts.map((h) => h.name)).toEqual(["a"]);
    });
});

// Each rule: the arguments, and what the message must say (field, bad value, fix).
const rules: [string, EtcdClusterArgs, RegExp][] = [
    ["no members", { members: [] }, /members: \[\] must list at least one member/],
    ["invalid member name", { members: [{ name: "etcd n1" }] }, /members\[0\]\.name: "etcd n1" is not a valid member name; use 1–63 letters/],
    ["member name with =", { members: [{ name: "a=b" }] }, /members\[0\]\.name: "a=b"/],
    ["duplicate member names", { members: [{ name: "a", clientPort: 1, peerPort: 2 }, { name: "a" }] }, /members\[1\]\.name: "a" is used by two members/],
    ["unknown host", { ...threeHosts, members: [{ name: "a", host: "h9" }] }, /members\[0\]\.host: "h9" is not in hosts; use one of "h1", "h2", "h3"/],
    ["no host with several hosts", { ...threeHosts, members: [{ name: "a" }] }, /members\[0\]\.host: missing; with several hosts each member must name one of/],
    ["malformed host url", { hosts: [{ name: "h", url: "10.0.0.1" }], members: [{ name: "a" }] }, /hosts\[0\]\.url: "10.0.0.1" has no scheme; say how Docker is reached: "ssh:\/\/user@10.0.0.1"/],
    ["unsupported scheme", { hosts: [{ name: "h", url: "http://10.0.0.1" }], members: [{ name: "a" }] }, /scheme "http" of "http:\/\/10.0.0.1" is not supported/],
    ["plain tcp", { hosts: [{ name: "h", url: "tcp://10.0.0.1:2375" }], members: [{ name: "a" }] }, /tcp:\/\/ Docker host without TLS.*Use ssh:\/\/user@10.0.0.1/],
    ["TLS on ssh", { hosts: [{ name: "h", url: "ssh://u@10.0.0.1", caMaterial: "x" }], members: [{ name: "a" }] }, /TLS material is for tcp:\/\/ hosts/],
    ["unix without socket", { hosts: [{ name: "h", url: "unix://" }], members: [{ name: "a" }] }, /names no socket/],
    ["duplicate host names", { hosts: [{ name: "h", url: "ssh://u@10.0.0.1" }, { name: "h", url: "ssh://u@10.0.0.2" }], members: [{ name: "a", host: "h" }] }, /hosts\[1\]\.name: "h" is used by two hosts/],
    ["address with scheme", { members: [{ name: "a", address: "http://10.0.0.1" }] }, /members\[0\]\.address: "http:\/\/10.0.0.1" is not an IP address or DNS name; give the bare address without the scheme/],
    ["address with port", { members: [{ name: "a", address: "10.0.0.1:2379" }] }, /give the bare address without the port \(set clientPort\/peerPort\)/],
    ["loopback address with published ports", { networkMode: "published", members: [{ name: "a" }] }, /"127.0.0.1" is a loopback address.*networkMode "host"/],
    ["port out of range", { members: [{ name: "a", clientPort: 70000 }] }, /members\[0\]\.clientPort: 70000 is not a port/],
    ["client port equals peer port", { members: [{ name: "a", clientPort: 2380 }] }, /clientPort and peerPort are both 2380/],
    ["same address and port", { hosts: [{ name: "h1", url: "ssh://u@10.0.0.1" }, { name: "h2", url: "ssh://u@10.0.0.2" }],
        members: [{ name: "a", host: "h1", address: "10.0.0.9" }, { name: "b", host: "h2", address: "10.0.0.9" }] }, /members "a" and "b" both use 10.0.0.9:2379/],
    ["same host port on one host", { members: [{ name: "a", address: "10.0.0.1" }, { name: "b", address: "10.0.0.2", peerPort: 2381 }] },
        /members "a" and "b" both use port 2379 on Docker host "local"; give one of them other ports/],
    ["same container name on one host", { members: [{ name: "a", containerName: "etcd" }, { name: "b", containerName: "etcd", clientPort: 3, peerPort: 4 }] },
        /both use container name "etcd" on host "local"; set containerName/],
    ["election timeout < 5x heartbeat", { members: [{ name: "a" }], tuning: { heartbeatIntervalMs: 300, electionTimeoutMs: 1000 } },
        /tuning\.electionTimeoutMs: 1000 is less than 5 × heartbeatIntervalMs \(300\); etcd refuses to start\. Set electionTimeoutMs to at least 1500/],
    ["election timeout > 50000", { members: [{ name: "a" }], tuning: { electionTimeoutMs: 60000 } }, /tuning\.electionTimeoutMs: 60000 must be a whole number from 1 to 50000/],
    ["bad compaction mode", { members: [{ name: "a" }], tuning: { autoCompactionMode: "daily" as never } }, /autoCompactionMode: "daily" must be "periodic" or "revision"/],
    ["retention not a revision", { members: [{ name: "a" }], tuning: { autoCompactionMode: "revision", autoCompactionRetention: "1h" } }, /"1h" does not fit mode revision/],
    ["bad log level", { members: [{ name: "a" }], tuning: { logLevel: "verbose" as never } }, /tuning\.logLevel: "verbose" must be one of debug, info/],
    ["rollout timeout too short", { members: [{ name: "a" }], rollout: { memberTimeoutSeconds: 5 } }, /rollout\.memberTimeoutSeconds: 5 must be a whole number from 10 to 3600/],
    ["rollout lag not a whole number", { members: [{ name: "a" }], rollout: { maxAppliedLag: 1.5 } }, /rollout\.maxAppliedLag: 1\.5 must be a whole number from 1 to 1000000/],
    ["rollout grace of zero (a kill)", { members: [{ name: "a" }], rollout: { stopGraceSeconds: 0 } }, /rollout\.stopGraceSeconds: 0 must be a whole number from 1 to 600/],
    ["rollout snapshot dir empty", { members: [{ name: "a" }], rollout: { snapshotDir: " " } }, /rollout\.snapshotDir: " " must name a directory/],
    ["managed env in extraEnv", { members: [{ name: "a" }], extraEnv: { ETCD_INITIAL_CLUSTER_TOKEN: "x" } }, /extraEnv\.ETCD_INITIAL_CLUSTER_TOKEN: the component sets ETCD_INITIAL_CLUSTER_TOKEN itself; use clusterToken instead/],
    ["non-etcd env in extraEnv", { members: [{ name: "a" }], extraEnv: { ALLOW_NONE_AUTHENTICATION: "yes" } }, /extraEnv\.ALLOW_NONE_AUTHENTICATION: only ETCD_\* settings/],
    ["unparsable etcdVersion", { members: [{ name: "a" }], image: "local/etcd:latest", etcdVersion: "three" }, /etcdVersion: "three" is not a version/],
    ["etcdVersion contradicts tag", { members: [{ name: "a" }], image: "local/etcd:v3.4.23", etcdVersion: "3.5.16" }, /contradicts the image tag/],
    ["bad network mode", { members: [{ name: "a" }], networkMode: "overlay" as never }, /networkMode: "overlay" must be "host" or "published"/],
    ["bad restart policy", { members: [{ name: "a" }], restartPolicy: "sometimes" as never }, /restartPolicy: "sometimes" must be one of/],
    ["health check timeout", { members: [{ name: "a" }], healthCheck: { timeoutSeconds: 1 } }, /healthCheck\.timeoutSeconds: 1 must be a whole number of seconds from 5 to 3600/],
    ["image with spaces", { members: [{ name: "a" }], image: "etcd 3.5" }, /image: "etcd 3.5" is not an image reference/],
];

describe.each(rules)("rejects %s", (_rule, args, message) => {
    it("with a message that names the field, the value and the fix", () => {
        expect(problemsOf(args)).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
    });
});

it("reports every problem at once, in a single error", () => {
    expect(() => resolveClusterArgs("seed", { members: [{ name: "bad name" }, { name: "b", clientPort: 0 }], tuning: { logLevel: "loud" as never } }))
        .toThrow(/invalid arguments of EtcdCluster "seed" \(3 problems\):\n  - members\[0\]\.name.*\n  - members\[1\]\.clientPort.*\n  - tuning\.logLevel/);
});

it("accepts a version override for tags that do not carry one", () => {
    expect(resolveClusterArgs("t", { members: [{ name: "a" }], image: "my/etcd:stable", etcdVersion: "3.5.16" }).version).toEqual({ major: 3, minor: 5, patch: 16 });
    expect(resolveClusterArgs("t", { members: [{ name: "a" }], image: "my/etcd:stable" }).version).toBeUndefined();
});
