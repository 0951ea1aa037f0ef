/**
 * The cluster component: resolves and plans the arguments, then creates the hosts' providers and images, the
 * cluster token, the bootstrap resources and the CA, the membership check (which fails the deployment when the
 * running cluster refuses the planned change: see planLiveMembership), one {@link EtcdMember} per member, and the
 * commands that check health and enable authentication.
 */
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import type { EtcdClusterArgs } from "../args";
import { planCluster } from "../plan/cluster";
import type { MembershipPlan } from "../plan/membership";
import { resolveClusterArgs } from "../resolve/cluster";
import { createBootstrapResources } from "./bootstrap";
import { createClusterTls } from "./certificates";
import { createAuthCommand, createHealthCheck, createRootPassword } from "./commands";
import { createHostResources } from "./docker";
import { EtcdMember } from "./etcdMember";
import { memberScripts } from "./memberScripts";
import { createRolloutSnapshot } from "./rolloutSnapshot";
import { planLiveMembership } from "./survey";
import { createClusterToken } from "./token";
import { createRetentionNotice } from "./volumes";
import { createRestoreCheck, memberRestore } from "./restore";
import { createMaintenance, Maintenance } from "./maintenance";
import { clusterAccess } from "../scripts/access";
import { diagnosisScript } from "../scripts/diagnose";
import { parseSnapshotReport, SnapshotReport } from "../scripts/snapshot";

export const etcdClusterType = "etcd-cluster:index:EtcdCluster";

/**
 * An etcd cluster on one or more Docker hosts. It creates, as its children:
 * - per host, a docker provider and the etcd image (docker.ts); the cluster token; with TLS auto, the CA and the
 *   client certificate (certificates.ts); with auth, the root password; the bootstrap's own resources: a discovery
 *   token, or a dnsmasq container serving the SRV records (bootstrap.ts);
 * - the survey of the running cluster, read in preview and update alike, and the membership check that stops the
 *   engine when the change it plans is refused (survey.ts); the snapshot before a change of the members
 *   (rolloutSnapshot.ts); with `restore`, the snapshot's check (restore.ts);
 * - one {@link EtcdMember} per member, whose lifecycle commands' scripts come from memberScripts.ts;
 * - the health check, which fails the deployment unless every member is started and healthy, and with auth the
 *   command that enables it (commands.ts); with `maintenance`, its container (maintenance.ts).
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
    /** The health check's report: the member list and endpoint health, as etcdctl prints them. Empty when the check is disabled. */
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
    /** The members (volume, certificates, container of each), by member name. */
    public readonly members: Record<string, EtcdMember>;
    /**
     * `metrics.enabled`: the members' metrics endpoints as one Prometheus `static_configs` entry
     * (`[{ targets: ["10.0.0.1:2381", …], labels: { etcd_cluster: "<name>" } }]`,
     * https://prometheus.io/docs/prometheus/latest/configuration/configuration/#static_config). Else empty.
     */
    public readonly metricsTargets: pulumi.Output<{ targets: string[]; labels: Record<string, string> }[]>;
    /**
     * A read-only shell script that diagnoses every member (container state, `endpoint health`, cluster ID, causes
     * found in its log) from where Pulumi runs: `pulumi stack output diagnoseScript | sh`. Needs the docker CLI, ssh
     * access to the hosts as for the deployment, and `node`; for `tcp://` hosts, their TLS material in the
     * `ETCD_HEALTH_HOST<i>_{CA,CERT,KEY}` variables.
     */
    public readonly diagnoseScript: pulumi.Output<string>;
    /**
     * The snapshot saved before the last change of the members (`rollout.snapshotBeforeChanges`): its file where
     * Pulumi ran, revision, hash, number of keys, size in bytes, time and the member it came from. Undefined until one
     * is saved (a cluster being created has nothing to save).
     */
    public readonly lastSnapshot: pulumi.Output<SnapshotReport | undefined>;
    /** `maintenance`: its container and the volume of its snapshots. */
    public readonly maintenance?: Maintenance;

    constructor(name: string, args: EtcdClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        // Checked before super(): bad arguments throw before anything is registered with the engine, the component
        // itself included, so a refused program leaves no trace in the stack.
        const cluster = resolveClusterArgs(name, args);
        super(etcdClusterType, name, {}, opts);
        cluster.warnings.forEach((w) => pulumi.log.warn(w, this));
        const plan = planCluster(cluster);
        // How every script reaches the hosts and members, made once.
        const access = clusterAccess(name, plan);

        const token = createClusterToken(name, args.clusterToken, this);
        const hosts = createHostResources(name, cluster.image, plan, this);
        const boot = createBootstrapResources(name, cluster, plan, this, (host) => hosts.get(host)!.provider);
        const discovery = boot.discoveryValue;
        const tls = createClusterTls(name, cluster, this);
        const rootPassword = createRootPassword(name, cluster, this);

        const membership = planLiveMembership(name, access, cluster, plan, rootPassword, this);
        const snapshot = createRolloutSnapshot(name, access, cluster, plan, membership, rootPassword, this);
        const restoreCheck = createRestoreCheck(name, cluster, plan, membership, hosts.get(plan.members[0].hostName)!.image!.imageId, this);
        // Each member waits for the gate of the one before it in the rollout order, which is only known once
        // the survey has answered and every member exists: both come in through this promise.
        let built!: (members: Record<string, EtcdMember>) => void;
        const members = new Promise<Record<string, EtcdMember>>((resolve) => (built = resolve));
        const neighbour = (member: string, step: -1 | 1, pick: (m: EtcdMember) => pulumi.Resource) =>
            pulumi.all([membership, members]).apply(([mp, all]: [MembershipPlan, Record<string, EtcdMember>]) => {
                const other = mp.order[mp.order.indexOf(member) + step];
                // A cluster being created starts every member at once: none could be healthy alone.
                return other === undefined || (step === -1 && mp.clusterState === "new") ? [] : [pick(all[other])];
            });
        this.members = {};
        this.containers = {};
        for (const m of plan.members) {
            const { provider, image } = hosts.get(m.hostName)!;
            const member = new EtcdMember(`${name}-${m.name}`, {
                namePrefix: name,
                plan: m,
                provider,
                image: image!.imageId,
                clusterToken: token,
                scripts: memberScripts(access, cluster, plan, m, membership, discovery, rootPassword),
                quietCommands: rootPassword !== undefined,
                stopGraceSeconds: cluster.rollout.stopGraceSeconds,
                networkMode: cluster.networkMode,
                restartPolicy: cluster.restartPolicy,
                dataVolumes: cluster.operations.dataVolumes,
                dns: boot.memberDns,
                tls,
                // The discovery token exists / the SRV records resolve / the snapshot is saved before any member changes.
                dependsOn: neighbour(m.name, -1, (p) => p.gate).apply((gate) => [...boot.memberDependsOn, ...(snapshot ? [snapshot] : []), ...(restoreCheck ? [restoreCheck] : []), ...gate]),
                restore: memberRestore(name, cluster, plan, m, membership, image!.imageId, token),
                leaveDependsOn: neighbour(m.name, 1, (n) => n.leave),
            }, { parent: this });
            this.members[m.name] = member;
            this.containers[m.name] = member.container;
        }
        built(this.members);
        const containers = Object.values(this.containers);

        const gates = Object.values(this.members).map((m) => m.gate);
        const check = cluster.healthCheck.enabled ? createHealthCheck(name, access, cluster, plan, rootPassword, containers, gates, this) : undefined;
        this.healthReport = check?.stdout ?? pulumi.output("");
        const auth = rootPassword === undefined ? undefined :
            createAuthCommand(name, access, cluster, plan, rootPassword, containers.map((c) => c.id), check ? [check] : containers, this);
        this.authReport = auth?.stdout ?? pulumi.output("");
        // Started on a healthy cluster whose root exists (auth), so that its first snapshot can be taken.
        const maintenanceHost = cluster.operations.maintenance?.host.name;
        this.maintenance = maintenanceHost === undefined ? undefined :
            createMaintenance(name, cluster, plan, hosts.get(maintenanceHost)!.provider, tls, rootPassword, auth ? [auth] : check ? [check] : containers, this);

        this.clientEndpointList = pulumi.output(plan.clientEndpoints);
        this.clientEndpoints = pulumi.output(plan.clientEndpoints.join(","));
        this.peerUrls = pulumi.output(plan.peerUrls);
        this.initialCluster = pulumi.output(plan.initialCluster);
        this.discoveryUrl = boot.discoveryUrl;
        this.dnsmasqConfig = boot.dnsmasqConfig;
        this.memberNames = pulumi.output(plan.members.map((m) => m.name));
        this.clusterToken = token;
        this.etcdctlEnv = pulumi.output<Record<string, string>>({ ETCDCTL_API: "3", ETCDCTL_ENDPOINTS: plan.clientEndpoints.join(",") });
        this.caCertificate = tls?.ca ?? pulumi.output("");
        this.clientCertificate = tls?.clientCert ?? pulumi.secret("");
        this.clientKey = tls?.clientKey ?? pulumi.secret("");
        this.rootPassword = rootPassword ?? pulumi.secret("");
        const targets = plan.members.flatMap((m) => m.metricsTarget ?? []);
        const staticConfigs: { targets: string[]; labels: Record<string, string> }[] = targets.length === 0 ? [] : [{ targets, labels: { etcd_cluster: name } }];
        this.metricsTargets = pulumi.output(staticConfigs);
        createRetentionNotice(name, cluster, plan, this);
        this.lastSnapshot = snapshot === undefined ? pulumi.output(undefined) : snapshot.stdout.apply(parseSnapshotReport);
        this.diagnoseScript = pulumi.output(diagnosisScript(access));
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
            metricsTargets: this.metricsTargets,
            diagnoseScript: this.diagnoseScript,
            lastSnapshot: this.lastSnapshot,
        });
    }
}
