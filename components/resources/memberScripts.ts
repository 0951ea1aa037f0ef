/**
 * The scripts of each member's lifecycle commands (join, promote, gate with its hand-over, leave, data removal) and
 * their environments. The join and promote reach the running members; the rest reach the member alone.
 */
import * as pulumi from "@pulumi/pulumi";
import type { ClusterPlan } from "../plan/cluster";
import { foundingLines, type MemberPlan } from "../plan/member";
import type { MembershipPlan } from "../plan/membership";
import type { ResolvedCluster } from "../resolve/model";
import { ClusterAccess, ownAccess } from "../scripts/access";
import { joinDeleteScript, joinScript, promoteScript } from "../scripts/join";
import { gateScript, leaveScript, preStopScript } from "../scripts/member";
import { dropVolumeScript } from "../scripts/volume";
import { commandEnvironment } from "./commands";

/** The scripts of one member's join, gate and leave commands, and their environment. */
export interface MemberScripts {
    join: pulumi.Output<string>;
    /** The join's delete: removes the member when it was added but never became a promoted voter. */
    unjoin: pulumi.Output<string>;
    promote: pulumi.Output<string>;
    /** The join's and promote's environment: every host's TLS material (they reach other members), root's password. */
    joinEnvironment: Record<string, pulumi.Input<string>>;
    gate: string;
    preStop: string;
    leave: string;
    /**
     * The data removal's delete: deletes the member's volume once its container is gone. Known only once the
     * membership plan is: the volume depends on the data removal, so a refused deployment (a volume of another
     * cluster, say) registers no volume either, and cannot adopt one that already exists.
     */
    dropVolume: pulumi.Output<string>;
    environment: Record<string, pulumi.Input<string>>;
}

/** The member's own host, alone, for its commands' environment (a tcp host's TLS material, by its index there: 0). */
function ownPlan(plan: ClusterPlan, m: MemberPlan): ClusterPlan {
    return { ...plan, members: [m], hosts: plan.hosts.filter((h) => h.name === m.hostName) };
}

export function memberScripts(
    all: ClusterAccess, cluster: ResolvedCluster, plan: ClusterPlan, m: MemberPlan, membership: pulumi.Output<MembershipPlan>,
    discovery: pulumi.Output<string> | undefined, rootPassword: pulumi.Output<string> | undefined,
): MemberScripts {
    const own = ownAccess(all, m.name);
    const founding = discovery === undefined ? pulumi.output(foundingLines(m)) :
        discovery.apply((d) => foundingLines(m, { bootstrap: cluster.bootstrap, value: d }));
    const joinSpec = pulumi.all([membership, founding]).apply(([mp, lines]) => {
        const role = mp.roles[m.name];
        // Every host, as in joinEnvironment (a tcp host's TLS material is named by its index there). Joining: ask the
        // members that run; existing: read the member's own container.
        const probes = role === "existing" ? all.probes.filter((p) => p.member === m.name) :
            all.probes.filter((p) => p.member !== m.name && mp.roles[p.member] === "existing");
        return {
            ...all, probes, member: m.name, peerUrl: m.peerUrl, role, foundingLines: lines, containerName: m.containerName,
            timeoutSeconds: cluster.rollout.memberTimeoutSeconds,
        };
    });
    return {
        join: joinSpec.apply(joinScript),
        unjoin: joinSpec.apply(joinDeleteScript),
        joinEnvironment: commandEnvironment(plan, rootPassword),
        // The promote asks the running members other than itself, whatever the member's role: a learner answers
        // neither member list nor endpoint status --cluster.
        promote: pulumi.all([membership, joinSpec]).apply(([mp, spec]) => promoteScript({
            ...spec, learner: mp.learners[m.name] !== undefined,
            probes: all.probes.filter((p) => p.member !== m.name && mp.roles[p.member] === "existing"),
        })),
        gate: gateScript({ ...own, timeoutSeconds: cluster.rollout.memberTimeoutSeconds, maxAppliedLag: cluster.rollout.maxAppliedLag }),
        preStop: preStopScript(own),
        leave: leaveScript({ ...own, timeoutSeconds: cluster.rollout.memberTimeoutSeconds }),
        dropVolume: membership.apply(() => dropVolumeScript({ clusterName: own.clusterName, member: m.name, volumeName: m.volumeName, host: own.hosts[0] })),
        environment: commandEnvironment(ownPlan(plan, m), rootPassword),
    };
}
