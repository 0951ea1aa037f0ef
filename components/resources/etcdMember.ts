/**
 * One etcd member as a component: its data volume, its certificates (`tls.mode: "auto"`) and its container.
 * EtcdCluster creates one per member; work that acts on one member at a time (joining, removing, rolling
 * changes, backups) belongs here.
 */
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { MemberPlan, volumeMountPath } from "../plan/member";
import { ClusterTls, createMemberTls, memberUploads } from "./certificates";
import { toLabels } from "./docker";

export const etcdMemberType = "etcd-cluster:index:EtcdMember";

/**
 * What EtcdCluster gives each member: the member's plan and the cluster-wide values its resources are made
 * of. Nothing in here comes from another member.
 * @internal
 */
export interface EtcdMemberInputs {
    /** Prefix of the children's names (the cluster's name): they keep the names they had as the cluster's children. */
    namePrefix: string;
    plan: MemberPlan;
    /** The docker provider of the member's host. */
    provider: docker.Provider;
    /** The etcd image's id on that host. */
    image: pulumi.Input<string>;
    /** The complete `ETCD_*` environment, deploy-time values (token, discovery) included. */
    env: pulumi.Input<string[]>;
    networkMode: "host" | "published";
    restartPolicy: "no" | "on-failure" | "always" | "unless-stopped";
    /** Docker `dns` (DNS bootstrap with the managed dnsmasq). */
    dns?: string[];
    /** The cluster's TLS material; undefined without TLS. */
    tls?: ClusterTls;
    /** What must exist before the container starts (the discovery token, the SRV records). */
    dependsOn: pulumi.Resource[];
}

/**
 * An etcd member: a named data volume, a container configured only through `ETCD_*` variables, and with TLS its
 * server and peer certificates. Created by {@link EtcdCluster}, one per member.
 */
export class EtcdMember extends pulumi.ComponentResource {
    /** The member's name (`--name`). */
    public readonly memberName: string;
    /** Name of the `hosts` entry that runs it. */
    public readonly hostName: string;
    /** The data volume. */
    public readonly volume: docker.Volume;
    /** The Docker name of the data volume. */
    public readonly volumeName: pulumi.Output<string>;
    /** The member's container. */
    public readonly container: docker.Container;
    /** What clients dial (`--advertise-client-urls`). */
    public readonly clientUrl: pulumi.Output<string>;
    /** What peers dial (`--initial-advertise-peer-urls`). */
    public readonly peerUrl: pulumi.Output<string>;

    constructor(name: string, inputs: EtcdMemberInputs, opts?: pulumi.ComponentResourceOptions) {
        super(etcdMemberType, name, {}, opts);
        const m = inputs.plan;
        const id = `${inputs.namePrefix}-${m.name}`;
        // These resources were children of the EtcdCluster before members had a component of their own: the alias
        // maps their old URNs to the new ones, so existing stacks keep them (above all the data volumes).
        const moved = opts?.parent === undefined ? {} : { aliases: [{ parent: opts.parent }] };
        const childOpts = { parent: this, ...moved };
        const dockerOpts = { ...childOpts, provider: inputs.provider };

        this.memberName = m.name;
        this.hostName = m.hostName;
        this.volume = new docker.Volume(`${id}-data`, {
            name: m.volumeName,
            labels: toLabels(m.labels),
        }, dockerOpts);
        const own = inputs.tls === undefined ? undefined : createMemberTls(id, m, inputs.tls, childOpts);
        this.container = new docker.Container(id, {
            name: m.containerName,
            image: inputs.image,
            envs: inputs.env,
            dns: inputs.dns,
            networkMode: inputs.networkMode === "host" ? "host" : "bridge",
            ports: m.ports,
            volumes: [{ volumeName: this.volume.name, containerPath: volumeMountPath }],
            // TLS: CA, server/peer/client certificates and keys (keys 0600), written into the container, no host paths.
            uploads: inputs.tls && own ? memberUploads(m, inputs.tls, own) : undefined,
            restart: inputs.restartPolicy,
            labels: toLabels(m.labels),
            healthcheck: { tests: m.healthcheckTest, interval: "10s", timeout: "5s", retries: 3, startPeriod: "30s" },
            // etcd needs time to hand over leadership and sync its WAL; Docker's default 10 s is tight.
            stopTimeout: 30,
            mustRun: true,
        }, {
            ...dockerOpts,
            dependsOn: inputs.dependsOn,
            // The container name and ports are fixed: a replacement cannot exist beside the old container.
            deleteBeforeReplace: true,
        });
        this.volumeName = this.volume.name;
        this.clientUrl = pulumi.output(m.clientUrl);
        this.peerUrl = pulumi.output(m.peerUrl);
        this.registerOutputs({
            memberName: this.memberName,
            hostName: this.hostName,
            volumeName: this.volumeName,
            containerId: this.container.id,
            clientUrl: this.clientUrl,
            peerUrl: this.peerUrl,
        });
    }
}
