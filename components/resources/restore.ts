/**
 * The commands of a restore (`restore`): one check of the snapshot before any member, and per member the command
 * that prepares its data volume before its container is created. Both run only when the cluster is created (every
 * member founds it); they are created once and keep what they were created with (`ignoreChanges`), as a member's
 * join does, so a later deployment with `restore` still in the arguments changes nothing.
 */
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import type { ClusterPlan } from "../plan/cluster";
import type { MemberPlan } from "../plan/member";
import type { MembershipPlan } from "../plan/membership";
import { atLeast } from "../resolve/etcdVersion";
import type { ResolvedCluster } from "../resolve/model";
import { scriptHost } from "../scripts/access";
import { restoreCheckScript, restoreScript } from "../scripts/restore";
import { commandEnvironment } from "./commands";

/** A restore's member command: its script (once the membership plan is known) and its environment (the token). */
export interface MemberRestore {
    script: pulumi.Output<string>;
    environment: Record<string, pulumi.Input<string>>;
}

const skipped = (why: string) => `echo ${JSON.stringify(why)}\n`;
/** etcdutl has the snapshot commands from 3.5 on (etcdctl's are deprecated there); an unknown version is taken as recent. */
const hasEtcdutl = (cluster: ResolvedCluster) => cluster.version === undefined || atLeast(cluster.version, 3, 5);

/** The member's host alone, as the scripts reach it (index 0), and its environment (a tcp host's TLS material). */
function ownHost(plan: ClusterPlan, m: MemberPlan) {
    const own = { ...plan, hosts: plan.hosts.filter((h) => h.name === m.hostName) };
    return { host: scriptHost(own.hosts[0]), environment: commandEnvironment(own, undefined) };
}

/** The snapshot check, on the first member's host; every member's restore waits for it. Undefined without `restore`. */
export function createRestoreCheck(
    name: string, cluster: ResolvedCluster, plan: ClusterPlan, membership: pulumi.Output<MembershipPlan>, image: pulumi.Input<string>, parent: pulumi.Resource,
): command.local.Command | undefined {
    const restore = cluster.operations.restore;
    if (restore === undefined) return undefined;
    const first = ownHost(plan, plan.members[0]);
    const script = pulumi.all([membership, image]).apply(([mp, img]) => mp.clusterState !== "new" ? skipped(`etcd cluster ${name} exists: nothing to restore`) :
        restoreCheckScript({ clusterName: name, host: first.host, image: img, snapshot: restore.snapshot, hasEtcdutl: hasEtcdutl(cluster) }));
    return new command.local.Command(`${name}-restore-check`, { create: script, environment: first.environment },
        { parent, ignoreChanges: ["create", "environment"] });
}

/** A member's restore, or undefined without `restore`. Only a founding member restores; one that joins starts empty. */
export function memberRestore(
    name: string, cluster: ResolvedCluster, plan: ClusterPlan, m: MemberPlan, membership: pulumi.Output<MembershipPlan>,
    image: pulumi.Input<string>, token: pulumi.Input<string>,
): MemberRestore | undefined {
    const restore = cluster.operations.restore;
    if (restore === undefined) return undefined;
    const own = ownHost(plan, m);
    const script = pulumi.all([membership, image]).apply(([mp, img]) => mp.roles[m.name] !== "found" ? skipped(`etcd member ${m.name} joins a running cluster: nothing to restore`) :
        restoreScript({
            clusterName: name, host: own.host, image: img, snapshot: restore.snapshot, hasEtcdutl: hasEtcdutl(cluster),
            member: m.name, peerUrl: m.peerUrl, initialCluster: plan.initialCluster, volumeName: m.volumeName,
        }));
    return { script, environment: { ...own.environment, ETCD_RESTORE_TOKEN: pulumi.secret(token) } };
}
