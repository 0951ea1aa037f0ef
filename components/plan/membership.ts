/**
 * What a deployment does to the cluster's membership, decided from the desired members and the survey of the
 * running cluster (plan/survey.ts): which members found the cluster, which exist, which join through
 * `etcdctl member add`, which leave, in what order member changes roll, and what must be refused before
 * anything changes. Pure.
 *
 * Membership is etcd's, not Pulumi's: a member keeps the bootstrap settings it was created with (its join
 * command's recorded output), while the current member list lives in etcd and is read here each time.
 * https://etcd.io/docs/v3.6/op-guide/runtime-configuration/
 */
import type { ResolvedCluster } from "../resolve/model";
import type { ClusterPlan } from "./cluster";
import { clusterLabel as clusterLabelName } from "./labels";
import type { MemberPlan } from "./member";
import type { LiveMember, Survey } from "./survey";
import { upgradeProblems } from "./upgrade";

/**
 * - `found`: the cluster does not exist yet; the member is created with the bootstrap settings.
 * - `existing`: the member is in the cluster and has its container.
 * - `join`: the member is added to the running cluster (`member add --learner`, or continued when an earlier
 *   deployment added it) and promoted once it has caught up.
 */
export type MemberRole = "found" | "existing" | "join";

export interface MembershipPlan {
    /** `new`: no container and no member answered; `running`: a member answered; `unanswered`: containers exist, no member answered. */
    clusterState: "new" | "running" | "unanswered";
    roles: Record<string, MemberRole>;
    /** Members of the running cluster that are not desired: removed after the program, one at a time. */
    leaving: LiveMember[];
    /** The current leader's member name, when known. */
    leader?: string;
    /**
     * Desired members the running cluster lists as learners, by name → hex member ID: a scale-out that failed or was
     * interrupted after `member add` left them so. Their promote (created again: a failed one is not in the state)
     * promotes them through the leader, whatever their role.
     */
    learners: Record<string, string>;
    /** Member changes roll in this order: existing members (the leader last), then joining members. */
    order: string[];
    problems: string[];
    warnings: string[];
}

/** Whether a live member is this desired member: same name, or (not started yet, so nameless) same peer URL. */
function isMember(live: LiveMember, m: MemberPlan): boolean {
    return live.name === m.name || (live.name === "" && live.peerUrls.includes(m.peerUrl));
}

/** The bootstrap mode a founding member's container was started with (from its bootstrap variables). */
function foundingMode(env: Record<string, string>): string | undefined {
    if (env.ETCD_INITIAL_CLUSTER_STATE !== "new") return undefined;
    if (env.ETCD_DISCOVERY_SRV !== undefined) return "dns";
    if (env.ETCD_DISCOVERY !== undefined || env.ETCD_DISCOVERY_TOKEN !== undefined) return "discovery";
    return env.ETCD_INITIAL_CLUSTER !== undefined ? "static" : undefined;
}

const show = (v: unknown) => JSON.stringify(v);

/** Majority of `n` voting members: the most that may fail is n - quorum. */
export function quorumOf(n: number): number {
    return Math.floor(n / 2) + 1;
}

function runningRoles(plan: ClusterPlan, survey: Survey, out: MembershipPlan, hostIndex: (m: MemberPlan) => number): void {
    plan.members.forEach((m, i) => {
        const live = survey.members.find((l) => isMember(l, m));
        const container = survey.containers.find((c) => c.member === m.name);
        const hostDown = survey.unreachableHosts.includes(hostIndex(m));
        if (live && live.name === m.name && !live.peerUrls.includes(m.peerUrl)) {
            out.problems.push(`members[${i}] (${show(m.name)}): the running member advertises peer URL ${live.peerUrls.join(",")}, ` +
                `this deployment would give it ${m.peerUrl}. A member keeps its address and ports; to move it, remove it in one ` +
                `deployment and add it (or a member with a new name) in the next.`);
        }
        const taken = survey.members.find((l) => l.name !== "" && l.name !== m.name && l.peerUrls.includes(m.peerUrl));
        if (taken) {
            out.problems.push(`members[${i}] (${show(m.name)}): peer URL ${m.peerUrl} belongs to the running member ${show(taken.name)}. ` +
                `Remove ${show(taken.name)} in one deployment, then add ${show(m.name)} in the next.`);
        }
        if (container && container.hostIndex !== hostIndex(m)) {
            out.problems.push(`members[${i}].host: member ${show(m.name)} runs on another host (host #${container.hostIndex + 1} of hosts in use) ` +
                `than ${show(m.hostName)}. A member does not move between hosts; remove it in one deployment and add a member with a new name in the next.`);
        }
        if (live?.isLearner) out.learners[m.name] = live.id;
        if (live && container) out.roles[m.name] = "existing";
        else if (live && !container && hostDown) out.roles[m.name] = "existing";
        else if (live && live.started && !container) {
            out.problems.push(`members[${i}] (${show(m.name)}): the cluster lists it as started (ID ${live.id}) but its container ${show(m.containerName)} ` +
                `is gone from ${show(m.hostName)}, and its data with it. Remove it from the cluster (etcdctl member remove ${live.id}) and deploy again: ` +
                `it then joins as a new member.`);
        } else out.roles[m.name] = "join";
    });
}

/**
 * Data volumes that outlived their cluster (`dataVolumes.onDestroy: "retain"`): a member whose volume carries another
 * cluster's label would start on that cluster's data (etcd ignores its bootstrap settings once a data dir exists)
 * and refuse or confuse its peers (`request cluster ID mismatch`). One without the label is not the component's: it
 * is used as it is, with a warning. One of this cluster is its own retained data: the member starts on it.
 */
function volumeChecks(cluster: ResolvedCluster, plan: ClusterPlan, survey: Survey, hostIndex: (m: MemberPlan) => number, out: MembershipPlan): void {
    plan.members.forEach((m, i) => {
        const v = survey.volumes.find((x) => x.name === m.volumeName && x.hostIndex === hostIndex(m));
        const host = show(m.hostName);
        if (v?.cluster !== undefined && v.cluster !== cluster.clusterName) {
            out.problems.push(`members[${i}].volumeName: volume ${show(m.volumeName)} on host ${host} already exists and holds the data of ` +
                `EtcdCluster ${show(v.cluster)} (label ${clusterLabelName}=${v.cluster}); member ${show(m.name)} would start on it. ` +
                `Delete it (docker volume rm ${m.volumeName} on that host) if that data is no longer needed, or give the member another volumeName.`);
        } else if (v && v.cluster === undefined) {
            out.warnings.push(`members[${i}].volumeName: volume ${show(m.volumeName)} on host ${host} exists and was not made by this component; ` +
                `member ${show(m.name)} uses it with whatever data it holds.`);
        }
    });
}

/** Decides the deployment's membership changes from the survey of the running cluster (plan/survey.ts). */
export function planMembership(cluster: ResolvedCluster, plan: ClusterPlan, survey: Survey): MembershipPlan {
    const out: MembershipPlan = { clusterState: "new", roles: {}, leaving: [], learners: {}, order: [], problems: [], warnings: [] };
    const hostIndex = (m: MemberPlan) => plan.hosts.findIndex((h) => h.name === m.hostName);
    volumeChecks(cluster, plan, survey, hostIndex, out);
    const answered = survey.askedMember !== undefined && survey.members.length > 0;
    if (!answered && survey.containers.length === 0) {
        plan.members.forEach((m) => (out.roles[m.name] = "found"));
        out.order = plan.members.map((m) => m.name);
        return out;
    }
    if (!answered) {
        out.clusterState = "unanswered";
        plan.members.forEach((m, i) => {
            if (survey.containers.some((c) => c.member === m.name) || survey.unreachableHosts.includes(hostIndex(m))) out.roles[m.name] = "existing";
            else {
                const down = survey.unreachableHosts.map((h) => show(plan.hosts[h]?.name)).join(", ");
                out.problems.push(`members[${i}] (${show(m.name)}): cannot add it, no member of the cluster answers (containers: ` +
                    `${survey.containers.map((c) => `${c.container} ${c.state}`).join(", ")}${down ? `; hosts not answering: ${down}` : ""}). Bring the cluster back to health first ` +
                    `(docker logs <container>), or, if it never formed, remove its containers and volumes and deploy again.`);
            }
        });
        out.order = plan.members.map((m) => m.name);
        return out;
    }
    out.clusterState = "running";
    runningRoles(plan, survey, out, hostIndex);

    out.leaving = survey.members.filter((l) => !plan.members.some((m) => isMember(l, m)));
    const voters = survey.members.filter((l) => !l.isLearner);
    const leavingVoters = out.leaving.filter((l) => !l.isLearner);
    const remaining = voters.length - leavingVoters.length;
    if (leavingVoters.length > 0 && remaining < quorumOf(voters.length)) {
        out.problems.push(`members: this deployment removes ${leavingVoters.map((l) => show(l.name || l.id)).join(", ")} from a cluster of ` +
            `${voters.length} voting members; the ${remaining} remaining could not hold quorum (${quorumOf(voters.length)}) while the ` +
            `removals are under way. ` + (voters.length <= 2
                ? `Going from 2 members to 1 cannot be made safe (etcd-io/etcd#1994): add a member first, or remove it by hand with etcdctl member remove if you must.`
                : `Remove at most ${voters.length - quorumOf(voters.length)} member(s) per deployment.`));
    }

    const founders = survey.containers.map((c) => foundingMode(c.env)).filter((x): x is string => x !== undefined);
    const mode = cluster.bootstrap.mode;
    if (founders.length > 0 && !founders.includes(mode)) {
        out.problems.push(`bootstrap.mode: ${show(mode)}, but the running cluster was bootstrapped with ${show(founders[0])}. ` +
            `The bootstrap mode only matters when a cluster is created; set it back to ${show(founders[0])} (members join a running cluster through etcdctl member add whatever the mode).`);
    }

    out.problems.push(...upgradeProblems(cluster.version, survey.statuses.map((s) => s.version).filter((v) => v !== undefined), cluster.auth.enabled, cluster.image));
    if (cluster.version === undefined) {
        out.warnings.push(`EtcdCluster ${show(cluster.clusterName)}: the etcd version of ${show(cluster.image)} is unknown, so the upgrade path from ` +
            `the running members cannot be checked; set etcdVersion.`);
    }

    if (cluster.operations.restore !== undefined) {
        out.warnings.push(`restore: EtcdCluster ${show(cluster.clusterName)} is running, so restore.snapshot is not applied: a restore only creates a new cluster. ` +
            `Remove restore from the arguments once the restored cluster runs.`);
    }
    const leaderId = survey.statuses.find((s) => s.isLeader)?.id;
    out.leader = survey.members.find((l) => l.id === leaderId)?.name || undefined;
    const by = (role: MemberRole) => plan.members.filter((m) => out.roles[m.name] === role).map((m) => m.name);
    const existing = by("existing");
    out.order = [...existing.filter((n) => n !== out.leader), ...existing.filter((n) => n === out.leader), ...by("join")];
    return out;
}
