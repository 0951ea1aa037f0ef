/**
 * EtcdMember under the mock runtime: each member's volume, certificates and container live in its own component,
 * and every one of them carries an alias to the URN it had as the cluster's child, so existing stacks keep them.
 */
import * as pulumi from "@pulumi/pulumi";
import { installMocks, promiseOf } from "../mockRuntime";
import { labHosts, labMembers } from "../fixtures";
import { EtcdCluster } from "../../../components/resources/etcdCluster";
import { EtcdMember } from "../../../components/resources/etcdMember";
import { EtcdClusterArgs } from "../../../components/args";

installMocks();

/** Every resource the cluster created, as the SDK built it (the transformation sees each one, components included). */
async function deploy(name: string, args: EtcdClusterArgs) {
    const seen: pulumi.Resource[] = [];
    const cluster = new EtcdCluster(name, args, { transformations: [(a) => { seen.push(a.resource); return undefined; }] });
    const urns = await promiseOf(pulumi.all(seen.map((r) => r.urn)));
    // What the SDK computed from each resource's `aliases` option: the URNs the engine will look for in the old state.
    const aliases = await Promise.all(seen.map((r) => promiseOf(pulumi.all(((r as unknown as { __aliases?: pulumi.Output<string>[] }).__aliases ?? [])))));
    const clusterUrn = await promiseOf(cluster.urn);
    const rows = seen.map((r, i) => ({ resource: r, urn: urns[i], aliases: aliases[i], name: urns[i].split("::").pop()!, type: urns[i].split("::")[2].split("$").pop()! }));
    return { cluster, clusterUrn, rows };
}

/** The URN a child of the cluster had before members were components: parent = the EtcdCluster itself. */
const urnUnderCluster = (clusterUrn: string, type: string, name: string) => `${clusterUrn.slice(0, clusterUrn.lastIndexOf("::"))}$${type}::${name}`;

const base = (over: Partial<EtcdClusterArgs> = {}): EtcdClusterArgs => ({ image: "local/etcd:v3.5.16", hosts: labHosts, members: labMembers, ...over });

const lifecycle = ["join", "promote", "gate", "leave", "data-removal"].map((c) => `command:local:Command::{m}-${c}`);

describe.each([
    ["plain", base(), ["docker:index/volume:Volume::{m}-data", "docker:index/container:Container::{m}", ...lifecycle]],
    ["tls auto", base({ tls: { mode: "auto" }, auth: { enabled: true } }), [
        "docker:index/volume:Volume::{m}-data", "docker:index/container:Container::{m}", ...lifecycle,
        ...["server", "peer"].flatMap((k) => [
            `tls:index/privateKey:PrivateKey::{m}-${k}-key`, `tls:index/certRequest:CertRequest::{m}-${k}-csr`, `tls:index/locallySignedCert:LocallySignedCert::{m}-${k}`,
        ]),
    ]],
])("%s: one EtcdMember per member", (label, args, movedPerMember) => {
    let r: Awaited<ReturnType<typeof deploy>>;
    const name = label === "plain" ? "mem" : "memtls";
    beforeAll(async () => { r = await deploy(name, args); });

    it("creates one EtcdMember per member, a child of the cluster, named like the member's container", () => {
        const members = r.rows.filter((x) => x.type === "etcd-cluster:index:EtcdMember");
        expect(members.map((x) => x.name)).toEqual(labMembers.map((m) => `${name}-${m.name}`));
        for (const m of members) expect(m.urn).toBe(urnUnderCluster(r.clusterUrn, "etcd-cluster:index:EtcdMember", m.name));
        expect(Object.keys(r.cluster.members)).toEqual(labMembers.map((m) => m.name));
    });

    it("puts the member's volume, certificates and container under it, names unchanged, each aliased to its URN under the cluster", () => {
        for (const m of labMembers) {
            const expected = movedPerMember.map((t) => t.replace("{m}", `${name}-${m.name}`)).sort();
            const under = r.rows.filter((x) => x.resource instanceof pulumi.CustomResource &&
                (x.resource as unknown as { __parentResource?: pulumi.Resource }).__parentResource === r.cluster.members[m.name]);
            expect(under.map((x) => `${x.type}::${x.name}`).sort()).toEqual(expected);
            for (const x of under) {
                expect(x.urn).toContain(`etcd-cluster:index:EtcdMember$${x.type}::${x.name}`);
                expect(x.aliases).toEqual([urnUnderCluster(r.clusterUrn, x.type, x.name)]);
            }
        }
    });

    it("leaves everything else where it was, without aliases", () => {
        const elsewhere = r.rows.filter((x) => x.resource instanceof pulumi.CustomResource &&
            !((x.resource as unknown as { __parentResource?: pulumi.Resource }).__parentResource instanceof EtcdMember));
        expect(elsewhere.length).toBeGreaterThan(0);
        for (const x of elsewhere) {
            expect(x.urn).toBe(urnUnderCluster(r.clusterUrn, x.type, x.name));
            expect(x.aliases).toEqual([]);
        }
    });

    it("exposes each member's container, volume, names and URLs", async () => {
        const n2 = r.cluster.members["etcd-n2"];
        expect(n2.memberName).toBe("etcd-n2");
        expect(n2.hostName).toBe("h2");
        expect(r.cluster.containers["etcd-n2"]).toBe(n2.container);
        const scheme = label === "plain" ? "http" : "https";
        expect(await promiseOf(pulumi.all([n2.volumeName, n2.clientUrl, n2.peerUrl]))).toEqual(["etcd-n2-data", `${scheme}://10.77.0.12:2379`, `${scheme}://10.77.0.12:2380`]);
    });
});
