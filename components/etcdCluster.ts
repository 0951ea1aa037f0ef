import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import * as command from "@pulumi/command";
import * as random from "@pulumi/random";
import { EtcdClusterArgs } from "./args";
import { healthCheckScript, healthCheckSpec } from "./scripts/healthCheck";
import { memberEnv, volumeMountPath } from "./plan/member";
import { planCluster } from "./plan/cluster";
import { resolveClusterArgs } from "./resolve/cluster";
import type { ResolvedHost } from "./resolve/model";
import { createBootstrapResources } from "./bootstrapResources";
import { commandEnvironment, createAuthCommand, createRootPassword, createTlsMaterials, memberUploads } from "./securityResources";

export const etcdClusterType = "etcd-cluster:index:EtcdCluster";

function toLabels(labels: Record<string, string>): docker.types.input.ContainerLabel[] {
    return Object.entries(labels).map(([label, value]) => ({ label, value }));
}

/**
 * An etcd cluster on one or more Docker hosts: per member a data volume and a container configured only
 * through `ETCD_*` variables, then a health check that fails the deployment unless every member is started
 * and healthy.
 */
export class EtcdCluster extends pulumi.ComponentResource {
    /** Client URLs, comma-joined: what `ETCDCTL_ENDPOINTS` and `--endpoints` take. */
    public readonly clientEndpoints: pulumi.Output<string>;
    /** Client URLs, one per member, in member order. */
    public readonly clientEndpointList: pulumi.Output<string[]>;
    /** Peer URLs, one per member, in member order. */
    public readonly peerUrls: pulumi.Output<string[]>;
    /** The `--initial-cluster` string the members were bootstrapped with (empty with discovery or DNS bootstrap). */
    public readonly initialCluster: pulumi.Output<string>;
    /** `bootstrap.mode: "discovery"` with v2 discovery: the token URL the members were given (`ETCD_DISCOVERY`). Else empty. */
    public readonly discoveryUrl: pulumi.Output<string>;
    /** `bootstrap.mode: "dns"`: the dnsmasq config with the cluster's SRV and host records (served or not). Else empty. */
    public readonly dnsmasqConfig: pulumi.Output<string>;
    public readonly memberNames: pulumi.Output<string[]>;
    /** `--initial-cluster-token`. */
    public readonly clusterToken: pulumi.Output<string>;
    /** Environment for `etcdctl` from where Pulumi runs: `ETCDCTL_API`, `ETCDCTL_ENDPOINTS`. */
    public readonly etcdctlEnv: pulumi.Output<Record<string, string>>;
    /** The health check's report: member list and endpoint health table. Empty when the check is disabled. */
    public readonly healthReport: pulumi.Output<string>;
    /** TLS: the CA certificate (PEM) clients verify members with (`--cacert`). Empty without TLS. */
    public readonly caCertificate: pulumi.Output<string>;
    /** TLS: a client certificate (PEM) signed by the CA, for `--cert`. Secret. Empty without TLS. */
    public readonly clientCertificate: pulumi.Output<string>;
    /** TLS: the client certificate's private key (PEM), for `--key`. Secret. Empty without TLS. */
    public readonly clientKey: pulumi.Output<string>;
    /** Auth: the root user's password (`--user root:<password>`). Secret. Empty without auth. */
    public readonly rootPassword: pulumi.Output<string>;
    /** Auth: what the auth command did (created root and enabled auth, or found it enabled). Empty without auth. */
    public readonly authReport: pulumi.Output<string>;
    /** The member containers by member name, for `dependsOn` in a larger program. */
    public readonly containers: Record<string, docker.Container>;

    constructor(name: string, args: EtcdClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super(etcdClusterType, name, {}, opts);
        const cluster = resolveClusterArgs(name, args);
        cluster.warnings.forEach((w) => pulumi.log.warn(w, this));
        const plan = planCluster(cluster);

        const token = args.clusterToken !== undefined ? pulumi.output(args.clusterToken) :
            // Kept in state, so updates never change the token of a running cluster.
            new random.RandomId(`${name}-token`, { byteLength: 8, prefix: `${name}-` }, { parent: this }).hex
                .apply((hex) => `${name}-${hex}`);

        const hostResources = new Map(plan.hosts.map((h) => {
            const provider = new docker.Provider(`${name}-${h.name}`, providerArgs(h.host), { parent: this });
            // A host may run only the dnsmasq of DNS bootstrap: no etcd image there.
            const image = h.memberNames.length === 0 ? undefined : new docker.RemoteImage(`${name}-${h.name}-image`, {
                name: cluster.image,
                // Other clusters and the user's own containers may use the same image on that host.
                keepLocally: true,
            }, { parent: this, provider });
            return [h.name, { provider, image }] as const;
        }));
        const boot = createBootstrapResources(name, cluster, plan, this, (host) => hostResources.get(host)!.provider);
        const discovery = boot.discoveryValue;
        const tlsMaterials = createTlsMaterials(name, cluster, plan, this);
        const rootPassword = createRootPassword(name, cluster, this);

        this.containers = {};
        for (const m of plan.members) {
            const { provider, image } = hostResources.get(m.hostName)!;
            const childOpts = { parent: this, provider };
            const volume = new docker.Volume(`${name}-${m.name}-data`, {
                name: m.volumeName,
                labels: toLabels(m.labels),
            }, childOpts);
            this.containers[m.name] = new docker.Container(`${name}-${m.name}`, {
                name: m.containerName,
                image: image!.imageId,
                envs: discovery === undefined ? token.apply((t) => memberEnv(m, t)) :
                    pulumi.all([token, discovery]).apply(([t, d]) => memberEnv(m, t, { bootstrap: cluster.bootstrap, value: d })),
                dns: boot.memberDns,
                networkMode: cluster.networkMode === "host" ? "host" : "bridge",
                ports: m.ports,
                volumes: [{ volumeName: volume.name, containerPath: volumeMountPath }],
                // TLS: CA, server/peer/client certificates and keys (keys 0600), written into the container, no host paths.
                uploads: memberUploads(m, tlsMaterials),
                restart: cluster.restartPolicy,
                labels: toLabels(m.labels),
                healthcheck: { tests: m.healthcheckTest, interval: "10s", timeout: "5s", retries: 3, startPeriod: "30s" },
                // etcd needs time to hand over leadership and sync its WAL; Docker's default 10 s is tight.
                stopTimeout: 30,
                mustRun: true,
            }, {
                ...childOpts,
                // The discovery token exists / the SRV records resolve before any member starts.
                dependsOn: boot.memberDependsOn,
                // The container name and ports are fixed: a replacement cannot exist beside the old container.
                deleteBeforeReplace: true,
            });
        }
        const containers = Object.values(this.containers);

        let healthy: pulumi.Resource[] = containers;
        if (cluster.healthCheck.enabled) {
            const script = healthCheckScript(healthCheckSpec(name, plan, cluster.healthCheck.timeoutSeconds));
            const check = new command.local.Command(`${name}-health`, {
                create: script,
                // tcp hosts' TLS material and the root password: environment, never argv.
                environment: commandEnvironment(plan, rootPassword),
                // Re-check whenever a member container is replaced.
                triggers: containers.map((c) => c.id),
            }, { parent: this, dependsOn: containers });
            this.healthReport = check.stdout;
            healthy = [check];
        } else {
            this.healthReport = pulumi.output("");
        }
        this.authReport = rootPassword === undefined ? pulumi.output("") :
            createAuthCommand(name, cluster, plan, rootPassword, containers.map((c) => c.id), healthy, this).stdout;

        this.clientEndpointList = pulumi.output(plan.clientEndpoints);
        this.clientEndpoints = pulumi.output(plan.clientEndpoints.join(","));
        this.peerUrls = pulumi.output(plan.peerUrls);
        this.initialCluster = pulumi.output(plan.initialCluster);
        this.discoveryUrl = boot.discoveryUrl;
        this.dnsmasqConfig = boot.dnsmasqConfig;
        this.memberNames = pulumi.output(plan.members.map((m) => m.name));
        this.clusterToken = token;
        this.etcdctlEnv = pulumi.output<Record<string, string>>({ ETCDCTL_API: "3", ETCDCTL_ENDPOINTS: plan.clientEndpoints.join(",") });
        this.caCertificate = tlsMaterials?.ca ?? pulumi.output("");
        this.clientCertificate = tlsMaterials?.clientCert ?? pulumi.secret("");
        this.clientKey = tlsMaterials?.clientKey ?? pulumi.secret("");
        this.rootPassword = rootPassword ?? pulumi.secret("");
        this.registerOutputs({
            clientEndpoints: this.clientEndpoints,
            clientEndpointList: this.clientEndpointList,
            peerUrls: this.peerUrls,
            initialCluster: this.initialCluster,
            discoveryUrl: this.discoveryUrl,
            dnsmasqConfig: this.dnsmasqConfig,
            memberNames: this.memberNames,
            clusterToken: this.clusterToken,
            etcdctlEnv: this.etcdctlEnv,
            healthReport: this.healthReport,
            caCertificate: this.caCertificate,
            clientCertificate: this.clientCertificate,
            clientKey: this.clientKey,
            rootPassword: this.rootPassword,
            authReport: this.authReport,
        });
    }
}

function providerArgs(host: ResolvedHost): docker.ProviderArgs {
    return {
        host: host.url,
        sshOpts: host.sshOpts.length > 0 ? host.sshOpts : undefined,
        caMaterial: host.caMaterial,
        certMaterial: host.certMaterial,
        keyMaterial: host.keyMaterial === undefined ? undefined : pulumi.secret(host.keyMaterial),
    };
}

