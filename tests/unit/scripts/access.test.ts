/** How the scripts reach the cluster: made once from the plan, narrowed for a member's own scripts. */
import { planCluster } from "../../../components/plan/cluster";
import { resolveClusterArgs } from "../../../components/resolve/cluster";
import { clusterAccess, ownAccess } from "../../../components/scripts/access";
import { labHosts, labMembers } from "../fixtures";

const plan = planCluster(resolveClusterArgs("seed", {
    image: "local/etcd:v3.5.16", hosts: labHosts, members: labMembers, tls: { mode: "auto" }, auth: { enabled: true },
}));
const access = clusterAccess("seed", plan);

it("asks every member on its own host, with the TLS flags and the login the plan says", () => {
    expect(access.hosts.map((h) => h.url)).toEqual(["ssh://root@10.77.0.11", "ssh://root@10.77.0.12", "ssh://root@10.77.0.13"]);
    expect(access.probes.map((p) => [p.member, p.hostIndex])).toEqual([["etcd-n1", 0], ["etcd-n2", 1], ["etcd-n3", 2]]);
    expect(access.etcdctlFlags).toEqual(plan.etcdctlFlags);
    expect(access.etcdctlFlags.length).toBeGreaterThan(0);
    expect(access.auth).toBe(true);
});

it("narrows to one member: its host alone, at index 0, and itself", () => {
    const own = ownAccess(access, "etcd-n3");
    expect(own.hosts).toEqual([access.hosts[2]]);
    expect(own.probes).toEqual([{ ...access.probes[2], hostIndex: 0 }]);
    expect(() => ownAccess(access, "etcd-n9")).toThrow("ownAccess: etcd-n9 is not a member of cluster seed");
});
