/**
 * The component deployed for real on the lab's Docker hosts (tests/live/lab), through the live deployer,
 * then checked the way an operator does it by hand: member list, endpoint health, put/get, watch, faults.
 */
import { execFileSync } from "child_process";
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { EtcdCluster } from "../../components/resources/etcdCluster";
import { EtcdClusterArgs } from "../../components/args";
import { clusterAccess } from "../../components/scripts/access";
import { healthCheckScript, healthCheckSpec } from "../../components/scripts/healthCheck";
import { planCluster } from "../../components/plan/cluster";
import { resolveClusterArgs } from "../../components/resolve/cluster";
import { readClusterConfig } from "../../components/resolve/stackConfig";
import { loadStackConfig } from "../stackFiles";
import { DeploymentError } from "./pulumi/realDeployer";
import { DEFAULT_SERIES, docker, etcdctlIn, etcdctlOutside, eventually, expectOnlyDataVolumesLeft, MemberRef, newDeployer, parseMemberList, readLab, removeLeftovers, revisionOf, watchOnce } from "./lab";

// Bounds, not expectations: every deployment is followed by a preview and a refresh, and four groups share 2 cores.
jest.setTimeout(900_000);

const lab = readLab();
const series = [DEFAULT_SERIES, "3.5", "3.4"] as const;

/** the three-host topology: etcd-n1..n3, one per lab host, each advertising its host's address. */
function threeNodeArgs(image: string): EtcdClusterArgs {
    return {
        image,
        hosts: lab.hosts.slice(0, 3).map((h) => ({ name: h.name, url: h.dockerHost })),
        members: lab.hosts.slice(0, 3).map((h, i) => ({ name: `etcd-n${i + 1}`, host: h.name })),
        healthCheck: { timeoutSeconds: 90 },
    };
}

interface Topology {
    cluster: string;
    args: EtcdClusterArgs;
    /** The three members as an operator reaches them: node1, node2, node3, with their data volumes. */
    members: (MemberRef & { volume: string })[];
    dockerHosts: string[];
}

function topologyOf(cluster: string, args: EtcdClusterArgs): Topology {
    const plan = planCluster(resolveClusterArgs(cluster, args));
    const urlOf = (hostName: string) => plan.hosts.find((h) => h.name === hostName)!.host.url;
    return {
        cluster,
        args,
        members: plan.members.map((m) => ({ dockerHost: urlOf(m.hostName), container: m.containerName, localClientUrl: m.localClientUrl, volume: m.volumeName })),
        dockerHosts: plan.hosts.map((h) => h.host.url),
    };
}

/** Every check an operator does by hand, plus the faults a user worries about, for one deployed topology. */
function operatorChecks(t: () => Topology, outputs: () => { clientEndpointList: string[]; peerUrls: string[]; healthReport: string }) {
    const node = (i: number) => t().members[i];

    it("member list shows exactly the three members, started, with the expected peer and client URLs", async () => {
        const r = await etcdctlOutside(outputs().clientEndpointList, "member", "list");
        expect(r.stderr).toBe("");
        const members = parseMemberList(r.stdout).sort((a, b) => a.name.localeCompare(b.name));
        expect(members).toEqual(["etcd-n1", "etcd-n2", "etcd-n3"].map((name, i) => ({
            status: "started", name, peerUrls: outputs().peerUrls[i], clientUrls: outputs().clientEndpointList[i],
        })));
    });

    it("endpoint health is healthy on every endpoint", async () => {
        const r = await etcdctlOutside(outputs().clientEndpointList, "endpoint", "health");
        expect(r.code).toBe(0);
        for (const ep of outputs().clientEndpointList) {
            expect(r.stdout + r.stderr).toMatch(new RegExp(`${ep} is healthy: successfully committed proposal`));
        }
    });

    it("the component's own health check passed, and its report says so", () => {
        expect(outputs().healthReport).toMatch(/^etcd cluster \S+: 3 of 3 members started and healthy/);
        expect(outputs().healthReport.match(/ is healthy: successfully committed proposal/g)).toHaveLength(3);
    });

    it("a key put through etcd-n1 is read through etcd-n3", async () => {
        expect((await etcdctlIn(node(0), "put", "/testdir/testkey", "Hello world")).stdout.trim()).toBe("OK");
        expect((await etcdctlIn(node(2), "get", "/testdir/testkey")).stdout).toBe("/testdir/testkey\nHello world\n");
    });

    it("a watch on 'hi' through etcd-n2 sees 'PUT hi shanyuhai' written through etcd-n3", async () => {
        const from = (await revisionOf(node(1))) + 1;
        const watched = watchOnce(node(1), "hi", from);
        expect((await etcdctlIn(node(2), "put", "hi", "shanyuhai")).code).toBe(0);
        expect(await watched).toBe("PUT\nhi\nshanyuhai\n");
    });

    it("a restarted member rejoins, with its data on its volume", async () => {
        const inspect = await docker(node(1).dockerHost, "inspect", "-f", "{{range .Mounts}}{{.Type}} {{.Name}} {{.Destination}}{{end}}", node(1).container);
        expect(inspect.stdout.trim()).toBe(`volume ${node(1).volume} /var/lib/etcd`);
        expect((await docker(node(1).dockerHost, "restart", node(1).container)).code).toBe(0);
        const rejoined = await eventually(async () => {
            const health = await etcdctlOutside(outputs().clientEndpointList, "endpoint", "health");
            const list = await etcdctlIn(node(1), "member", "list");
            return health.code === 0 && parseMemberList(list.stdout).filter((m) => m.status === "started").length === 3;
        }, 60_000);
        expect(rejoined).toBe(true);
        expect((await etcdctlIn(node(1), "get", "/testdir/testkey", "--print-value-only")).stdout).toBe("Hello world\n");
    });

    it("with one member stopped the cluster stays writable", async () => {
        expect((await docker(node(2).dockerHost, "stop", node(2).container)).code).toBe(0);
        try {
            const put = await etcdctlIn(node(0), "put", "/faults/one-down", "still-writable");
            expect(put.stdout.trim()).toBe("OK");
            expect((await etcdctlIn(node(1), "get", "/faults/one-down", "--print-value-only")).stdout).toBe("still-writable\n");
        } finally {
            await docker(node(2).dockerHost, "start", node(2).container);
        }
    });

    it("with two members stopped the health check fails the deployment, saying quorum is lost", async () => {
        for (const i of [1, 2]) expect((await docker(node(i).dockerHost, "stop", node(i).container)).code).toBe(0);
        const recheck = newDeployer();
        try {
            // The component's own check, for the same plan, run as a deployment of its own.
            const plan = planCluster(resolveClusterArgs(t().cluster, t().args));
            const script = healthCheckScript(healthCheckSpec(clusterAccess(t().cluster, plan), plan, 15));
            const attempt = recheck.deploy(`${t().cluster}-recheck`, () => {
                new command.local.Command(`${t().cluster}-recheck`, { create: script });
            });
            await expect(attempt).rejects.toThrow(DeploymentError);
            await expect(attempt).rejects.toThrow(/quorum lost: only 1 of 3 members are up; a cluster of 3 needs 2 to accept writes\. Down: etcd-n2 etcd-n3/);
        } finally {
            await recheck.destroy();
            for (const i of [1, 2]) await docker(node(i).dockerHost, "start", node(i).container);
        }
    });
}

function deployedTopology(label: string, makeTopology: () => Topology, program: (t: Topology) => () => Promise<Record<string, pulumi.Output<unknown>>>,
    config?: Record<string, unknown>) {
    describe(label, () => {
        const deployer = newDeployer();
        let t: Topology;
        let outputs: { clientEndpointList: string[]; peerUrls: string[]; healthReport: string };

        beforeAll(async () => {
            t = makeTopology();
            await removeLeftovers(t.dockerHosts, t.cluster);
            outputs = await deployer.deploy(t.cluster, program(t), { config }) as unknown as typeof outputs;
        });
        afterAll(async () => {
            await deployer.destroy();
            await removeLeftovers(t.dockerHosts, t.cluster);
        });

        operatorChecks(() => t, () => outputs);

        it("is destroyed leaving only its data volumes (kept by default) on any host", async () => {
            await deployer.destroy();
            await expectOnlyDataVolumesLeft(t.dockerHosts, t.cluster);
            expect((await etcdctlOutside(outputs.clientEndpointList, "endpoint", "health")).code).not.toBe(0);
        });
    });
}

const clusterOutputs = (c: EtcdCluster) => ({ clientEndpointList: c.clientEndpointList, peerUrls: c.peerUrls, healthReport: c.healthReport });

for (const s of series) {
    deployedTopology(`the three-host topology on three lab hosts, etcd ${lab.images[s]}`,
        () => topologyOf(`seed-${s.replace(".", "")}`, threeNodeArgs(lab.images[s])),
        (t) => async () => clusterOutputs(new EtcdCluster(t.cluster, t.args)));

    const devCluster = `dev-${s.replace(".", "")}`;
    const devStack = loadStackConfig("dev");
    // The stack's members on volumes of their own: a dev stack destroyed on this machine leaves its data in
    // etcd-nN-data (labelled etcd-dev), and the component rightly refuses to start another cluster on it.
    const devMembers = (JSON.parse(devStack["etcd-cluster:members"]) as { name: string }[])
        .map((m) => ({ ...m, volumeName: `${devCluster}-${m.name}-data` }));
    const devConfig = { ...devStack, "etcd-cluster:image": lab.images[s], "etcd-cluster:clusterName": devCluster, "etcd-cluster:members": JSON.stringify(devMembers) };
    deployedTopology(`the dev stack (three members on the local engine) from its stack config, etcd ${lab.images[s]}`,
        () => {
            const { clusterName, args } = readClusterConfig(devConfig, "etcd-cluster");
            return topologyOf(clusterName, args);
        },
        // What index.ts does, with the stack's config set through the CLI as `pulumi config set` would. index.ts itself
        // runs in CI's main job (tests/live/mainJob.sh, under the real CLI): here, a fresh copy of it per run would also
        // be a fresh copy of @pulumi/pulumi (jest.isolateModules), whose messages the engine's connection refuses.
        () => async () => {
            const { clusterName, args } = readClusterConfig(pulumi.runtime.allConfig(), pulumi.getProject());
            return clusterOutputs(new EtcdCluster(clusterName, args));
        },
        devConfig);
}

deployedTopology(`published ports (-p) on the local engine's bridge network, etcd ${DEFAULT_SERIES}`,
    () => {
        // Members reach each other through ports published on the bridge gateway, as `docker run -p` does.
        const bridgeAddress = execFileSync("ip", ["-4", "-o", "addr", "show", "dev", "docker0"], { encoding: "utf8" });
        const gateway = /inet (\d+\.\d+\.\d+\.\d+)\//.exec(bridgeAddress)![1];
        return topologyOf("published", {
            image: lab.images[DEFAULT_SERIES],
            networkMode: "published",
            hosts: [{ name: "local", url: lab.localDockerHost }],
            members: [1, 2, 3].map((i) => ({ name: `etcd-n${i}`, address: gateway, clientPort: 10379 + 1000 * i, peerPort: 10380 + 1000 * i })),
            healthCheck: { timeoutSeconds: 90 },
        });
    },
    (t) => async () => clusterOutputs(new EtcdCluster(t.cluster, t.args)));

it("refuses bad arguments before anything is created on the hosts", async () => {
    const deployer = newDeployer();
    const attempt = deployer.deploy("bad", async () => clusterOutputs(new EtcdCluster("bad", {
        ...threeNodeArgs(lab.images[DEFAULT_SERIES]),
        tuning: { heartbeatIntervalMs: 500, electionTimeoutMs: 1000 },
    })));
    await expect(attempt).rejects.toThrow(/tuning\.electionTimeoutMs: 1000 is less than 5 × heartbeatIntervalMs \(500\)/);
    expect(deployer.created.filter((r) => r.type !== "etcd-cluster:index:EtcdCluster")).toEqual([]);
    await deployer.destroy();
});
