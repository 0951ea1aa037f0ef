import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { clusterCommands, created, installMocks, ofType, promiseOf, registrationsSettled, settled, unwrap } from "../mockRuntime";
import { EtcdCluster } from "../../../components/resources/etcdCluster";
import { EtcdClusterArgsError } from "../../../components/resolve/argChecks";

installMocks();

const threeNodeArgs = {
    image: "local/etcd:v3.5.16",
    hosts: [
        { name: "node1", url: "ssh://root@10.0.0.137", sshOpts: ["-i", "/keys/etcd"] },
        { name: "node2", url: "ssh://root@10.0.0.138" },
    ],
    members: [
        { name: "etcd-n1", host: "node1" },
        { name: "etcd-n2", host: "node2" },
        { name: "etcd-n3", host: "node2", address: "10.0.0.139", clientPort: 12379, peerPort: 12380 },
    ],
};

async function deploy(name: string, args: ConstructorParameters<typeof EtcdCluster>[1]) {
    const before = created.length;
    const cluster = new EtcdCluster(name, args);
    await settled(cluster);
    const outputs = await promiseOf(pulumi.output({
        clientEndpoints: cluster.clientEndpoints, clientEndpointList: cluster.clientEndpointList, peerUrls: cluster.peerUrls,
        initialCluster: cluster.initialCluster, memberNames: cluster.memberNames, clusterToken: cluster.clusterToken,
        etcdctlEnv: cluster.etcdctlEnv, healthReport: cluster.healthReport,
        containerIds: Object.values(cluster.containers).map((c) => c.id),
    }));
    return { cluster, outputs, resources: created.slice(before) };
}

describe("three members on two ssh hosts", () => {
    let r: Awaited<ReturnType<typeof deploy>>;
    beforeAll(async () => { r = await deploy("seed", threeNodeArgs); });

    it("creates one provider and one image per host, and a volume and container per member", () => {
        const count = (t: string) => ofType(t, r.resources).length;
        expect(count("pulumi:providers:docker")).toBe(2);
        expect(count("docker:index/remoteImage:RemoteImage")).toBe(2);
        expect(count("docker:index/volume:Volume")).toBe(3);
        expect(count("docker:index/container:Container")).toBe(3);
        expect(count("random:index/randomId:RandomId")).toBe(1);
        // The notice of retained volumes, the membership check, the snapshot before a rollout and the health check;
        // per member its join, promote, gate, leave and data removal.
        expect(clusterCommands(r.resources)).toEqual(["seed-retained-volumes", "seed-membership-check", "seed-rollout-snapshot", "seed-health"]);
        expect(count("command:local:Command")).toBe(4 + 3 * 5);
        expect(count("etcd-cluster:index:EtcdCluster")).toBe(1);
        expect(count("etcd-cluster:index:EtcdMember")).toBe(3);
    });

    it("configures each provider for its host, with the host's ssh options", () => {
        const providers = ofType("pulumi:providers:docker", r.resources);
        expect(providers.map((p) => [p.name, p.inputs.host]).sort()).toEqual([["seed-node1", "ssh://root@10.0.0.137"], ["seed-node2", "ssh://root@10.0.0.138"]]);
        expect(JSON.stringify(providers.find((p) => p.name === "seed-node1")!.inputs.sshOpts)).toContain("/keys/etcd");
    });

    it("puts every member's image, volume and container on its own host's provider", () => {
        const onProvider = (type: string, name: string) => ofType(type, r.resources).find((x) => x.name === name)!.provider;
        expect(onProvider("docker:index/container:Container", "seed-etcd-n1")).toMatch(/pulumi:providers:docker::seed-node1::seed-node1-id$/);
        expect(onProvider("docker:index/container:Container", "seed-etcd-n3")).toMatch(/::seed-node2::seed-node2-id$/);
        expect(onProvider("docker:index/volume:Volume", "seed-etcd-n3-data")).toMatch(/::seed-node2::seed-node2-id$/);
        expect(onProvider("docker:index/remoteImage:RemoteImage", "seed-node1-image")).toMatch(/::seed-node1::seed-node1-id$/);
    });

    it("gives each container the exact ETCD_* environment, including the generated token (a secret, so the whole environment is)", () => {
        const n3 = ofType("docker:index/container:Container", r.resources).find((c) => c.name === "seed-etcd-n3")!;
        expect(unwrap(n3.inputs.envs).secret).toBe(true);
        expect(unwrap(n3.inputs.envs).value).toEqual([
            "ETCD_NAME=etcd-n3",
            "ETCD_DATA_DIR=/var/lib/etcd/data",
            "ETCD_LISTEN_PEER_URLS=http://0.0.0.0:12380",
            "ETCD_LISTEN_CLIENT_URLS=http://0.0.0.0:12379",
            "ETCD_INITIAL_ADVERTISE_PEER_URLS=http://10.0.0.139:12380",
            "ETCD_ADVERTISE_CLIENT_URLS=http://10.0.0.139:12379",
            "ETCD_INITIAL_CLUSTER=etcd-n1=http://10.0.0.137:2380,etcd-n2=http://10.0.0.138:2380,etcd-n3=http://10.0.0.139:12380",
            "ETCD_INITIAL_CLUSTER_STATE=new",
            "ETCD_INITIAL_CLUSTER_TOKEN=seed-c0ffee00",
        ]);
    });

    it("runs the container on the host's image, with its volume, labels, restart policy and an exec-form healthcheck", () => {
        const n1 = ofType("docker:index/container:Container", r.resources).find((c) => c.name === "seed-etcd-n1")!;
        expect(n1.inputs).toMatchObject({
            name: "etcd-n1",
            image: "sha256:seed-node1-image",
            networkMode: "host",
            restart: "unless-stopped",
            volumes: [{ volumeName: "etcd-n1-data", containerPath: "/var/lib/etcd" }],
            labels: expect.arrayContaining([{ label: "etcd-cluster.cluster", value: "seed" }, { label: "etcd-cluster.member", value: "etcd-n1" }]),
            healthcheck: expect.objectContaining({ tests: ["CMD", "/usr/local/bin/etcdctl", "--endpoints=http://127.0.0.1:2379", "endpoint", "health"] }),
        });
        const image = ofType("docker:index/remoteImage:RemoteImage", r.resources)[0];
        expect(image.inputs).toMatchObject({ name: "local/etcd:v3.5.16", keepLocally: true });
    });

    it("runs the health check after every container, re-running it when any container is replaced", () => {
        const check = ofType("command:local:Command", r.resources).find((c) => c.name === "seed-health")!;
        expect(check.name).toBe("seed-health");
        expect(check.inputs.triggers).toEqual(["seed-etcd-n1-id", "seed-etcd-n2-id", "seed-etcd-n3-id"]);
        expect(check.inputs.create).toContain("expected='etcd-n1 etcd-n2 etcd-n3'");
        expect(check.inputs.create).toContain("DOCKER_HOST='ssh://root@10.0.0.138'");
        expect(check.inputs.create).toContain("1 etcd-n3 http://127.0.0.1:12379 etcd-n3");
        // Containers must have finished before the check started: its triggers are their ids.
        expect(r.resources.indexOf(check)).toBeGreaterThan(Math.max(...ofType("docker:index/container:Container", r.resources).map((c) => r.resources.indexOf(c))));
    });

    it("exports endpoints, peer URLs, the initial cluster, names, token, etcdctl env and the health report", () => {
        expect(r.outputs).toMatchObject({
            clientEndpoints: "http://10.0.0.137:2379,http://10.0.0.138:2379,http://10.0.0.139:12379",
            clientEndpointList: ["http://10.0.0.137:2379", "http://10.0.0.138:2379", "http://10.0.0.139:12379"],
            peerUrls: ["http://10.0.0.137:2380", "http://10.0.0.138:2380", "http://10.0.0.139:12380"],
            initialCluster: "etcd-n1=http://10.0.0.137:2380,etcd-n2=http://10.0.0.138:2380,etcd-n3=http://10.0.0.139:12380",
            memberNames: ["etcd-n1", "etcd-n2", "etcd-n3"],
            clusterToken: "seed-c0ffee00",
            etcdctlEnv: { ETCDCTL_API: "3", ETCDCTL_ENDPOINTS: "http://10.0.0.137:2379,http://10.0.0.138:2379,http://10.0.0.139:12379" },
            healthReport: "report of seed-health",
        });
    });
});

describe("the generated cluster token", () => {
    /**
     * Plays the engine on an existing stack: each input a resource lists in `ignoreChanges` takes its value from
     * the old state, present in the new inputs or not (pulumi/pulumi processIgnoreChanges).
     */
    const existingStack = (state: Record<string, Record<string, unknown>>): pulumi.ResourceTransformation => (a) => {
        const old = state[a.name];
        if (!old || !a.opts.ignoreChanges) return undefined;
        const props = { ...a.props };
        for (const key of a.opts.ignoreChanges) props[key] = old[key];
        return { props, opts: a.opts };
    };
    const one = { members: [{ name: "solo" }], healthCheck: { enabled: false } };
    const tokenOf = async (cluster: EtcdCluster) => {
        const [token, envs] = await promiseOf(pulumi.all([cluster.clusterToken, cluster.containers.solo.envs]));
        expect(envs).toContain(`ETCD_INITIAL_CLUSTER_TOKEN=${token}`);
        return token;
    };

    it("the mock RandomId answers like the random provider: hex starts with the prefix when one is given", async () => {
        const hex = (prefix?: string) => promiseOf(new random.RandomId(`mock-${prefix}`, { byteLength: 8, prefix }).hex);
        expect(await hex("p-")).toBe("p-c0ffee00");
        expect(await hex(undefined)).toBe("c0ffee00");
    });

    it("a new stack: a RandomId without prefix, and the token <name>-<hex>, prefixed once, a secret like a configured one", async () => {
        const before = created.length;
        const cluster = new EtcdCluster("fresh", one);
        expect(await tokenOf(cluster)).toBe("fresh-c0ffee00");
        expect(await pulumi.isSecret(cluster.clusterToken)).toBe(true);
        expect(ofType("random:index/randomId:RandomId", created.slice(before)).map((r) => r.inputs)).toEqual([{ byteLength: 8 }]);
    });

    it("an existing stack keeps its token <name>-<name>-<hex>: ignoreChanges brings the old prefix back, so nothing is replaced", async () => {
        const before = created.length;
        const cluster = new EtcdCluster("old", one, { transformations: [existingStack({ "old-token": { byteLength: 8, prefix: "old-" } })] });
        expect(await tokenOf(cluster)).toBe("old-old-c0ffee00");
        expect(ofType("random:index/randomId:RandomId", created.slice(before)).map((r) => r.inputs)).toEqual([{ byteLength: 8, prefix: "old-" }]);
    });
});

it("uses a given token as is and creates no random resource", async () => {
    const r = await deploy("given", { members: [{ name: "solo" }], clusterToken: "my-token", healthCheck: { enabled: false } });
    expect(ofType("random:index/randomId:RandomId", r.resources)).toHaveLength(0);
    expect(clusterCommands(r.resources)).toEqual(["given-retained-volumes", "given-membership-check", "given-rollout-snapshot"]);
    expect(unwrap(ofType("docker:index/container:Container", r.resources)[0].inputs.envs)).toEqual({
        secret: false, value: expect.arrayContaining(["ETCD_INITIAL_CLUSTER_TOKEN=my-token"]),
    });
    expect(r.outputs.healthReport).toBe("");
});

it("publishes ports on the bridge network with networkMode published", async () => {
    const r = await deploy("pub", { networkMode: "published", members: [{ name: "p1", address: "172.17.0.1", clientPort: 12379, peerPort: 12380 }] });
    expect(ofType("docker:index/container:Container", r.resources)[0].inputs).toMatchObject({
        networkMode: "bridge",
        ports: [{ internal: 2379, external: 12379 }, { internal: 2380, external: 12380 }],
    });
});

it("passes tcp TLS material to the provider and to the health check only through secret environment", async () => {
    const r = await deploy("tls", {
        hosts: [{ name: "t", url: "tcp://10.0.0.5:2376", caMaterial: "CA-PEM", certMaterial: "CERT-PEM", keyMaterial: pulumi.secret("KEY-PEM") }],
        members: [{ name: "m" }],
    });
    const check = ofType("command:local:Command", r.resources).find((c) => c.name.endsWith("-health"))!;
    expect(check.inputs.create).not.toContain("KEY-PEM");
    // The key is a secret, so the whole environment reaches the engine as a secret value.
    expect(check.inputs.environment).toEqual({
        [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig,
        value: { ETCD_HEALTH_HOST0_CA: "CA-PEM", ETCD_HEALTH_HOST0_CERT: "CERT-PEM", ETCD_HEALTH_HOST0_KEY: "KEY-PEM" },
    });
    expect(ofType("pulumi:providers:docker", r.resources)[0].inputs).toMatchObject({ host: "tcp://10.0.0.5:2376", caMaterial: "CA-PEM" });
});

it("rejects bad arguments before registering anything, the component itself included", async () => {
    await registrationsSettled();
    const before = created.length;
    expect(() => new EtcdCluster("bad", { members: [{ name: "etcd n1" }] })).toThrow(EtcdClusterArgsError);
    expect(() => new EtcdCluster("bad2", { members: [] })).toThrow(/members: \[\] must list at least one member/);
    // Registrations reach the mocks asynchronously: only once they have settled does "none" mean none.
    await registrationsSettled();
    expect(created.slice(before).map((r) => `${r.type} ${r.name}`)).toEqual([]);
});
