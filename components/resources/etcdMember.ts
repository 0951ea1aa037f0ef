/**
 * One etcd member as a component: its data volume, its certificates (`tls.mode: "auto"`), the command that
 * decides its bootstrap settings once (join), its container, the command that promotes it once it joined as a
 * learner, the gate that waits for it after every (re)start, and the command that removes it from the cluster
 * when it is removed from the program (leave).
 *
 * Why this order holds under Pulumi's engine, and how it makes changes roll one member at a time:
 * - The container is replaced delete-before-replace (the provider's default for `docker_container`,
 *   https://github.com/pulumi/pulumi-docker/blob/master/provider/resources.go). Before deleting it, the engine
 *   deletes the dependents that must be replaced with it: only those with a *property* dependency on it whose
 *   diff then says replace (`calculateDependentReplacements`,
 *   https://github.com/pulumi/pulumi/blob/master/pkg/resource/deploy/step_generator.go). The gate has one
 *   (`triggers: [container.id]`, and a command's triggers force replacement), so its delete, the leadership
 *   hand-over, runs right before the container stops. The leave and the promote depend on the container only
 *   through `dependsOn`, which never cascades (https://github.com/pulumi/pulumi/issues/838): `member remove`
 *   does not run when a container is merely replaced.
 * - The cluster hands each member, as `dependsOn`, the gate of the member before it in the rollout order. The
 *   Node SDK registers a resource only once its `dependsOn` resources are registered, and the engine answers a
 *   registration only when its step is done (`prepareResource`, https://github.com/pulumi/pulumi/blob/master/
 *   sdk/nodejs/runtime/resource.ts; step_executor.go): member k+1's container is not even looked at before
 *   member k's gate has passed. No input of a member comes from another member, so no member is a dependent
 *   replacement of another, whatever `--parallel` says.
 * - Removed members' resources are deleted after the program, dependents first
 *   (https://github.com/pulumi/pulumi/blob/master/pkg/resource/deploy/deployment_executor.go, ScheduleDeletes):
 *   the leave (which depends on the gate and on the next member's leave) goes before the gate and the
 *   container, one member at a time.
 */
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import * as command from "@pulumi/command";
import { MemberPlan, memberEnv, volumeMountPath } from "../plan/member";
import { ClusterTls, createMemberTls, memberUploads } from "./certificates";
import { toLabels } from "./docker";
import type { MemberScripts } from "./memberScripts";
import type { MemberRestore } from "./restore";

export const etcdMemberType = "etcd-cluster:index:EtcdMember";

/**
 * What EtcdCluster gives each member: the member's plan and the cluster-wide values its resources are made
 * of. Nothing in here comes from another member. Not exported from the package's entry (only EtcdCluster makes
 * members), yet not marked internal: EtcdMember's public constructor names it, so its declaration must stay in the
 * built .d.ts.
 */
export interface EtcdMemberInputs {
    /** Prefix of the children's names (the cluster's name): they keep the names they had as the cluster's children. */
    namePrefix: string;
    plan: MemberPlan;
    /** The docker provider of the member's host. */
    provider: docker.Provider;
    /** The etcd image's id on that host. */
    image: pulumi.Input<string>;
    /** `--initial-cluster-token`. */
    clusterToken: pulumi.Input<string>;
    /** The scripts of the member's join, promote, gate and leave commands, and their environment. */
    scripts: MemberScripts;
    /** Nothing of the commands goes to the engine's log (their environment carries root's password). */
    quietCommands: boolean;
    /** Docker's stop timeout when the container is deleted (`destroyGraceSeconds`). */
    stopGraceSeconds: number;
    networkMode: "host" | "published";
    /** `dataVolumes`: keep the volume when the whole cluster is destroyed; Pulumi's `protect` on it. */
    dataVolumes: { onDestroy: "retain" | "delete"; protect: boolean };
    restartPolicy: "no" | "on-failure" | "always" | "unless-stopped";
    /** Docker `dns` (DNS bootstrap with the managed dnsmasq). */
    dns?: string[];
    /** The cluster's TLS material; undefined without TLS. */
    tls?: ClusterTls;
    /**
     * What the member's join and container wait for: the discovery token or SRV records, the snapshot before a
     * rollout, the gate of the member before it in the rollout order.
     */
    dependsOn: pulumi.Input<pulumi.Resource[]>;
    /** `restore`: the command that prepares the data volume from the snapshot before the container first starts. */
    restore?: MemberRestore;
    /** What its leave waits for when created, so that removals run in the reverse order, one at a time. */
    leaveDependsOn: pulumi.Input<pulumi.Resource[]>;
}

/**
 * An etcd member, created by {@link EtcdCluster}, one per member: a named data volume; with TLS auto, its server and
 * peer certificates; a container configured only through `ETCD_*` variables; and five lifecycle commands that run
 * where Pulumi runs:
 * - join: decides once how the member starts (founding the cluster, or added as a learner), kept in the state;
 * - promote: makes a learner a voter, through the leader;
 * - gate: waits for the member after every (re)start of its container; its delete hands leadership away;
 * - leave: its delete removes the member from the cluster before its container goes;
 * - data removal: its delete removes the data volume of a member dropped from the program (that data can never rejoin
 *   the cluster); destroying the whole cluster leaves the volumes to `dataVolumes.onDestroy`.
 * They are resources rather than steps of the program because only the engine knows when it creates, replaces or
 * deletes the container: a command's create and delete run exactly then, in the order the dependencies give (the file
 * header says why that order holds), nothing runs in a preview, and what a command decided stays in the state.
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
    /** Decides the member's bootstrap variables, once: its stdout, kept in state, is part of the container's environment. */
    public readonly join: command.local.Command;
    /** Promotes the member when it joined as a learner, once. */
    public readonly promote: command.local.Command;
    /** Waits for the member after every (re)start; its delete hands leadership over before the container stops. */
    public readonly gate: command.local.Command;
    /** Removes the member from the cluster (its delete) before its container stops. */
    public readonly leave: command.local.Command;
    /** `restore`: prepares the data volume from the snapshot, once, before the container is created. */
    public readonly restore?: command.local.Command;
    /** Deletes the data volume (its delete) after the container, when the member is removed from the program. */
    public readonly dataRemoval: command.local.Command;
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
        // Destroying the whole cluster keeps the data by default, removing a member does not: the volume itself is
        // never deleted by the engine with "retain" (`retainOnDelete`), and the data removal's delete, which the engine
        // runs after the volume's (the volume depends on it, https://github.com/pulumi/pulumi/blob/master/pkg/resource/
        // deploy/deployment_executor.go, ScheduleDeletes: dependents first), deletes it on a scale-in. It is skipped when
        // the cluster is deleted in the same run (`deletedWith`, pkg/resource/deploy/step.go, DeleteStep.Apply).
        const withCluster = opts?.parent === undefined ? {} : { deletedWith: opts.parent };
        const quiet = inputs.quietCommands ? { logging: "none" as const } : {};
        this.dataRemoval = new command.local.Command(`${id}-data-removal`, {
            delete: inputs.scripts.dropVolume, environment: inputs.scripts.environment, ...quiet,
        }, { ...childOpts, ...withCluster });
        // Every input of a docker volume forces a replacement, and a volume is replaced create-first: the "new" one
        // is the same named volume, and deleting the old one at the end fails while a container uses it, or deletes
        // the data when none does (kreuzwerker resource_docker_volume.go: all attributes ForceNew). Labels therefore
        // reach a data volume when it is created and never change it afterwards.
        this.volume = new docker.Volume(`${id}-data`, {
            name: m.volumeName,
            labels: toLabels(m.labels),
        }, {
            ...dockerOpts, ignoreChanges: ["labels"], dependsOn: [this.dataRemoval],
            retainOnDelete: inputs.dataVolumes.onDestroy === "retain", protect: inputs.dataVolumes.protect,
        });
        const own = inputs.tls === undefined ? undefined : createMemberTls(id, m, inputs.tls, childOpts);
        const scripts = inputs.scripts;
        // Created once: what it decided must not change when other members come and go (the role and the
        // members it asked do), so its inputs keep the values it was created with.
        this.join = new command.local.Command(`${id}-join`, {
            create: scripts.join, delete: scripts.unjoin, environment: scripts.joinEnvironment, ...quiet,
        }, { ...childOpts, dependsOn: inputs.dependsOn, ignoreChanges: ["create", "delete", "environment"] });
        // Created once, like the join: what it did to the volume is not redone when the snapshot or members change.
        this.restore = inputs.restore === undefined ? undefined : new command.local.Command(`${id}-restore`, {
            create: inputs.restore.script, environment: inputs.restore.environment, logging: "none",
        }, { ...childOpts, dependsOn: pulumi.output(inputs.dependsOn).apply((d) => [...d, this.volume]), ignoreChanges: ["create", "environment"] });
        const restored = this.restore;
        this.container = new docker.Container(id, {
            name: m.containerName,
            image: inputs.image,
            envs: pulumi.all([this.join.stdout, inputs.clusterToken]).apply(([lines, token]) => memberEnv(m, lines, token)),
            dns: inputs.dns,
            networkMode: inputs.networkMode === "host" ? "host" : "bridge",
            ports: m.ports,
            volumes: [{ volumeName: this.volume.name, containerPath: volumeMountPath }],
            // TLS: CA, server/peer/client certificates and keys (keys 0600), written into the container, no host paths.
            uploads: inputs.tls && own ? memberUploads(m, inputs.tls, own) : undefined,
            restart: inputs.restartPolicy,
            logDriver: m.logs.driver,
            logOpts: m.logs.options,
            memory: m.limits.memoryMb,
            cpus: m.limits.cpus === undefined ? undefined : String(m.limits.cpus),
            labels: toLabels(m.labels),
            healthcheck: { tests: m.healthcheckTest, interval: "10s", timeout: "5s", retries: 3, startPeriod: "30s" },
            // etcd needs time to hand over leadership and sync its WAL; Docker's default 10 s is tight.
            stopTimeout: 30,
            // What Docker gives the container to stop when Pulumi deletes it; unset, the provider kills it at once.
            destroyGraceSeconds: inputs.stopGraceSeconds,
            mustRun: true,
        }, {
            ...dockerOpts,
            dependsOn: restored === undefined ? inputs.dependsOn : pulumi.output(inputs.dependsOn).apply((d) => [...d, restored]),
            // The container name and ports are fixed: a replacement cannot exist beside the old container.
            deleteBeforeReplace: true,
        });
        this.promote = new command.local.Command(`${id}-promote`, {
            create: scripts.promote, environment: scripts.joinEnvironment, ...quiet,
            // A promote that failed (the learner did not catch up in time) is not in the state, so the next deployment
            // creates it again with the current script, which then finishes the learner (plan/membership.ts, learners).
            // No trigger on the learner's ID: it would change once the member votes, and the deployment after a
            // recovery would not converge (a non-empty preview).
        }, { ...childOpts, dependsOn: [this.container], ignoreChanges: ["create", "environment"] });
        // Destroying the whole cluster (the cluster deleted in the same run) needs neither hand-overs nor
        // removals (`deletedWith`, as above). The last member could not be removed anyway.
        this.gate = new command.local.Command(`${id}-gate`, {
            create: scripts.gate, delete: scripts.preStop, environment: scripts.environment, ...quiet,
            triggers: [this.container.id],
            // Delete-before-replace: after a failed create the engine keeps the old gate pending replacement; replaced
            // first-create, it would run the old gate's delete (the hand-over) again at the end of the next run
            // (pulumi/pulumi pkg/resource/deploy/step_generator.go, GenerateDeletes; step.go, CreateStep.Apply).
        }, { ...childOpts, ...withCluster, dependsOn: [this.promote], deleteBeforeReplace: true });
        this.leave = new command.local.Command(`${id}-leave`, {
            delete: scripts.leave, environment: scripts.environment, ...quiet,
        }, { ...childOpts, ...withCluster, dependsOn: pulumi.output(inputs.leaveDependsOn).apply((after) => [this.gate, ...after]) });
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
