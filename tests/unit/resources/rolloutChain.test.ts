/**
 * The dependency chain that makes Pulumi's engine change members one at a time (the argument is in
 * components/resources/etcdMember.ts): each member's join and container wait (`dependsOn`, never a property
 * dependency) for the gate of the member before it in the rollout order, the leader last; the gate is the only
 * resource with a property dependency on its container; no member's input comes from another member; leaves
 * wait for the next member's leave, so removals run in reverse order, one at a time.
 */
import * as pulumi from "@pulumi/pulumi";
import { EtcdCluster } from "../../../components/resources/etcdCluster";
import { surveyEtcdLines } from "../etcdctlJson";
import { labHosts, labMembers } from "../fixtures";
import { installMocks, mockSurvey, promiseOf, settled } from "../mockRuntime";

installMocks();

/** What the survey script prints for a healthy running cluster of etcd-n1..n3 (each on h1..h3) led by `leader`. */
function runningSurvey(leader: number): string {
    const ids = [1, 2, 3].map((i) => `a${i}`);
    return [
        ...[0, 1, 2].map((h) => `host ${h} ok`),
        ...[1, 2, 3].map((i) => `ct ${i - 1} etcd-n${i} etcd-n${i} running`),
        ...[1, 2, 3].map((i) => `env ${i - 1} etcd-n${i} ETCD_INITIAL_CLUSTER_STATE=new`),
        ...[1, 2, 3].map((i) => `env ${i - 1} etcd-n${i} ETCD_INITIAL_CLUSTER=etcd-n1=http://10.77.0.11:2380,etcd-n2=http://10.77.0.12:2380,etcd-n3=http://10.77.0.13:2380`),
        "asked etcd-n1",
        ...surveyEtcdLines(ids, leader),
    ].join("\n");
}

interface Seen {
    resource: pulumi.Resource;
    name: string;
    inputs: Record<string, unknown>;
    /** The `dependsOn` option as given, and resolved. */
    deps?: pulumi.Input<pulumi.Input<pulumi.Resource>[]> | pulumi.Input<pulumi.Resource>;
    dependsOn: pulumi.Resource[];
}

async function deploy(name: string, survey: string) {
    mockSurvey.output = survey;
    const seen: Seen[] = [];
    const cluster = new EtcdCluster(name, { image: "local/etcd:v3.5.16", hosts: labHosts, members: labMembers }, {
        transformations: [(a) => {
            seen.push({ resource: a.resource, name: a.name, dependsOn: [], inputs: a.props, deps: a.opts.dependsOn } as Seen);
            return undefined;
        }],
    });
    await settled(cluster);
    for (const s of seen) {
        const d = s.deps === undefined ? [] : await promiseOf(pulumi.output(s.deps as pulumi.Input<pulumi.Resource[]>));
        s.dependsOn = (Array.isArray(d) ? d : [d]).filter((x): x is pulumi.Resource => x !== undefined);
    }
    mockSurvey.output = "";
    const byName = (n: string) => seen.find((s) => s.name === n && s.resource instanceof pulumi.CustomResource)!;
    return { cluster, byName };
}

/** The resources an input's Output depends on (what the engine records as that property's dependencies). */
async function propertyDeps(value: unknown): Promise<pulumi.Resource[]> {
    if (!pulumi.Output.isInstance(value)) return [];
    const resources = (value as unknown as { resources(): Set<pulumi.Resource> }).resources();
    return [...resources];
}

describe.each([
    ["etcd-n1 leads", 1, ["etcd-n2", "etcd-n3", "etcd-n1"]],
    ["etcd-n3 leads", 3, ["etcd-n1", "etcd-n2", "etcd-n3"]],
])("a running cluster where %s", (_label, leader, order) => {
    let r: Awaited<ReturnType<typeof deploy>>;
    const name = `chain${leader}`;
    const res = (member: string, part?: string) => r.byName(`${name}-${member}${part ? `-${part}` : ""}`);
    beforeAll(async () => { r = await deploy(name, runningSurvey(leader as number)); });

    it("chains each member's join and container to the snapshot and the gate of the member before it, the leader last", () => {
        const snapshot = r.byName(`${name}-rollout-snapshot`).resource;
        (order as string[]).forEach((m, k) => {
            const before = k === 0 ? [] : [res((order as string[])[k - 1], "gate").resource];
            for (const part of ["join", undefined]) expect(res(m, part).dependsOn).toEqual([snapshot, ...before]);
        });
    });

    it("gives the gate a property dependency on its container (triggers) and no one else one", async () => {
        for (const m of order as string[]) {
            expect(await propertyDeps(res(m, "gate").inputs.triggers)).toEqual([]); // the array itself is plain
            const trig = res(m, "gate").inputs.triggers as unknown[];
            expect(await Promise.all(trig.map(propertyDeps))).toEqual([[res(m).resource]]);
            expect(res(m, "gate").dependsOn).toEqual([res(m, "promote").resource]);
            expect(res(m, "promote").dependsOn).toEqual([res(m).resource]);
        }
    });

    it("builds no member's container from another member's resources", async () => {
        for (const m of order as string[]) {
            const deps = (await Promise.all(Object.values(res(m).inputs).map(propertyDeps))).flat();
            const others = (order as string[]).filter((o) => o !== m);
            for (const o of others) {
                for (const part of [undefined, "join", "promote", "gate", "leave"]) expect(deps).not.toContain(res(o, part).resource);
            }
            expect(deps).toContain(res(m, "join").resource);
        }
    });

    it("makes each leave wait for its gate and for the next member's leave, so removals go in reverse order", () => {
        (order as string[]).forEach((m, k) => {
            const next = (order as string[])[k + 1];
            expect(res(m, "leave").dependsOn).toEqual([res(m, "gate").resource, ...(next ? [res(next, "leave").resource] : [])]);
        });
    });
});

it("starts every member of a cluster being created at once: no member waits for another's gate", async () => {
    const r = await deploy("fresh", "");
    for (const m of ["etcd-n1", "etcd-n2", "etcd-n3"]) {
        expect(r.byName(`fresh-${m}`).dependsOn.filter((d) => ["etcd-n1", "etcd-n2", "etcd-n3"].some((o) => d === r.byName(`fresh-${o}-gate`).resource))).toEqual([]);
    }
});
