/**
 * Input a newcomer gets wrong in the first hour, and exactly what they are told: one message that names the field,
 * the value and the fix, and nothing else (a second, wrong problem would send them the wrong way).
 */
import { resolveClusterArgs } from "../../../components/resolve/cluster";
import { problemsOf, threeNodeArgs, threeNodeHosts, threeNodeMembers } from "../fixtures";

describe("an image without a tag", () => {
    it("is refused: Docker would pull :latest, and the version is read from the tag", () => {
        expect(problemsOf({ image: "quay.io/coreos/etcd", members: [{ name: "etcd-n1" }] })).toEqual([
            `image: "quay.io/coreos/etcd" has no tag, so Docker would pull "quay.io/coreos/etcd:latest", whichever etcd release that is on the day, ` +
            `and the component reads the etcd version from the tag; pin a release, e.g. "quay.io/coreos/etcd:v3.6.17".`,
        ]);
    });

    it("is refused with etcdVersion too: the tag that Docker pulls would still move", () => {
        expect(problemsOf({ image: "quay.io/coreos/etcd", etcdVersion: "3.5.16", members: [{ name: "etcd-n1" }] })).toHaveLength(1);
    });

    it("with a digest needs etcdVersion, and is accepted with it", () => {
        const image = "quay.io/coreos/etcd@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        expect(problemsOf({ image, members: [{ name: "etcd-n1" }] })).toEqual([
            `image: "${image}" has a digest but no tag, so the etcd version (read from the tag) is unknown; ` +
            `set etcdVersion to the release the digest holds, e.g. etcdVersion: "3.6.17".`,
        ]);
        expect(resolveClusterArgs("t", { image, etcdVersion: "3.5.16", members: [{ name: "etcd-n1" }] }).version).toEqual({ major: 3, minor: 5, patch: 16 });
    });

    it("a registry with a port is not taken for a tag", () => {
        expect(problemsOf({ image: "localhost:5000/etcd", members: [{ name: "etcd-n1" }] })).toEqual([expect.stringMatching(/^image: "localhost:5000\/etcd" has no tag/)]);
    });
});

it("discovery with neither endpoints nor serviceUrl is refused, naming both choices: no silent public service", () => {
    expect(problemsOf(threeNodeArgs({ bootstrap: { mode: "discovery" } }))).toEqual([
        `bootstrap.discovery: neither endpoints nor serviceUrl is set; say where the members find each other: ` +
        `endpoints: ["http://10.0.0.100:2379"] for a discovery etcd you run, or serviceUrl: "https://discovery.etcd.io" for the public ` +
        `discovery service, which is no longer maintained and has answered 503. Or leave bootstrap out for static bootstrap.`,
    ]);
});

it("maintenance without an image gets a Dockerfile to build one from the cluster's own etcd image", () => {
    expect(problemsOf(threeNodeArgs({ maintenance: {} as never }))).toEqual([
        `maintenance.image: undefined must name an image with a POSIX sh and /usr/local/bin/etcdctl (and etcdutl from 3.5) of the cluster's etcd version; ` +
        `the etcd image has no shell. E.g. build one from these Dockerfile lines and give its tag: ` +
        `FROM local/etcd:v3.5.16 AS etcd / FROM busybox:1.36 / COPY --from=etcd /usr/local/bin/etcdctl /usr/local/bin/etcdutl /usr/local/bin/.`,
    ]);
    // etcd 3.4 has no etcdutl to copy.
    expect(problemsOf(threeNodeArgs({ image: "local/etcd:v3.4.23", maintenance: { image: "" } }))[0])
        .toMatch(/ FROM local\/etcd:v3\.4\.23 AS etcd \/ FROM busybox:1\.36 \/ COPY --from=etcd \/usr\/local\/bin\/etcdctl \/usr\/local\/bin\/\.$/);
});

it("a host url without a scheme is one problem, with the url it probably meant; the member on that host gets none", () => {
    const hosts = [threeNodeHosts[0], { name: "node2", url: "core@10.0.0.138" }, threeNodeHosts[2]];
    expect(problemsOf(threeNodeArgs({ hosts }))).toEqual([
        `hosts[1].url: "core@10.0.0.138" has no scheme; say how Docker is reached: "ssh://core@10.0.0.138" (recommended), ` +
        `"tcp://10.0.0.138:2376" with TLS material, or "unix:///var/run/docker.sock".`,
    ]);
});

it("a member naming a host when hosts is not set is told that hosts defaulted to the local engine", () => {
    expect(problemsOf({ members: [{ name: "etcd-n1", host: "node1" }] })).toEqual([
        `members[0].host: "node1" is not a host: hosts is not set, so it defaulted to the local engine alone ` +
        `({ name: "local", url: "unix:///var/run/docker.sock" }). List your Docker hosts, e.g. ` +
        `hosts: [{ name: "node1", url: "ssh://user@10.0.0.137" }], or leave host out to use the local engine.`,
    ]);
});

it("the even-count warning counts in English", () => {
    const two = resolveClusterArgs("t", threeNodeArgs({ members: threeNodeMembers.slice(0, 2), hosts: threeNodeHosts.slice(0, 2) }));
    expect(two.warnings).toEqual([`EtcdCluster "t" has 2 members: an even count tolerates no more failures than 1 member does (quorum is 2); use 1 or 3.`]);
    const four = resolveClusterArgs("t", threeNodeArgs({ members: [...threeNodeMembers, { name: "etcd-n4", host: "node1", clientPort: 12379, peerPort: 12380 }] }));
    expect(four.warnings).toEqual([`EtcdCluster "t" has 4 members: an even count tolerates no more failures than 3 members do (quorum is 3); use 3 or 5.`]);
});
