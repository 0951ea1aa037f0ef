/** The diagnosis script run for real under /bin/sh against a fake docker, with the machine's node doing the matching. */
import { diagnosisScript } from "../../../components/scripts/diagnose";
import { FakeDocker, fakeHost } from "./fakeDocker";

const spec = diagnosisScript({
    hosts: ["h0", "h1", "h2"].map(fakeHost),
    probes: ["etcd-n1", "etcd-n2", "etcd-n3"].map((m, i) => ({ member: m, hostIndex: i, containerName: m, localClientUrl: "http://127.0.0.1:2379" })),
    etcdctlFlags: [],
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
    // Only what reads: inspect, etcdctl endpoint health/status, logs since the container started.
    expect(r.calls.filter((c) => !/ (inspect|logs) | endpoint (health|status)/.test(c))).toEqual([]);
    expect(r.calls).toContain("h0 logs --since 2026-11-24T10:00:00Z --tail 300 etcd-n1");
});
