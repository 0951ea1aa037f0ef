/**
 * The cluster as it runs, read while the program runs, and the deployment's membership plan made from it; the
 * snapshot before a rollout; the scripts of each member's commands. Everything here is decided by pure code in
 * plan/ and scripts/.
 */
import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import type { ClusterPlan } from "../plan/cluster";
import { foundingLines, type MemberPlan } from "../plan/member";
import { MembershipPlan, planMembership } from "../plan/membership";
import { parseSurvey } from "../plan/survey";
import { EtcdClusterArgsError } from "../resolve/argChecks";
import type { ResolvedCluster } from "../resolve/model";
import { healthCheckSpec } from "../scripts/healthCheck";
import { joinDeleteScript, joinScript, promoteScript } from "../scripts/join";
import { gateScript, leaveScript, OwnMemberSpec, preStopScript } from "../scripts/member";
import { snapshotScript } from "../scripts/snapshot";
import { membershipCheckScript, surveyScript } from "../scripts/survey";
import { dropVolumeScript } from "../scripts/volume";
import { commandEnvironment } from "./commands";

/**
 * Surveys the running cluster (`command.local.run`, which the engine runs in preview and update alike) and
 * plans the membership change. Problems (removing too many members, moving one, skipping an etcd minor
 * version …) reject the output with {@link EtcdClusterArgsError}: every member resource takes an input from
 * it, so none of them is registered, and the engine changes no member.
 *
 * A program whose resources were not registered must also never reach the point where the engine deletes what
 * the program did not register: a member's leave deletes it from the cluster. The CLI's Node.js host never
 * signals the end of a program that had an uncaught error, but the Automation API's inline host does
 * (`@pulumi/pulumi/automation/server` awaits the program, then calls `disconnect(true)`, which sends
 * `SignalAndWaitForShutdown`, before it looks at the errors it caught), and the engine takes that signal as "every
 * resource is registered" and deletes the rest (pulumi/pulumi#20143 added the signal to inline programs). Seen live:
 * a refused downgrade ran every member's leave. So the problems also reach a resource, the membership check,
 * whose command fails when there are any: a failed step makes the engine stop the deployment without deletes,
 * and the program's registrations wait for it before the host can signal anything.
 */
export function planLiveMembership(
    name: string, cluster: ResolvedCluster, plan: ClusterPlan, rootPassword: pulumi.Output<string> | undefined, parent: pulumi.Resource,
): pulumi.Output<MembershipPlan> {
    const spec = healthCheckSpec(name, plan, cluster.healthCheck.timeoutSeconds);
    const survey = command.local.runOutput({
        command: surveyScript({
            clusterName: name, hosts: spec.hosts, probes: spec.probes, etcdctlFlags: plan.etcdctlFlags, auth: plan.auth,
            volumes: plan.members.map((m) => ({ hostIndex: plan.hosts.findIndex((h) => h.name === m.hostName), volumeName: m.volumeName })),
        }),
        environment: commandEnvironment(plan, rootPassword),
    }, { parent });
    // What it prints is no secret (member list, status), though its environment may hold root's password.
    const planned = pulumi.unsecret(survey.stdout).apply((out) => planMembership(cluster, plan, parseSurvey(out)));
    // A refused run also gets a trigger of its own, so that its check is a step that runs the failing script even when an
    // earlier refused run left the same script in the state.
    new command.local.Command(`${name}-membership-check`, {
        create: planned.apply((m) => membershipCheckScript(m.problems)),
        triggers: planned.apply((m) => (m.problems.length > 0 ? [`refused at ${new Date().toISOString()}`] : [])),
    }, { parent });
    return planned.apply((membership) => {
        if (membership.problems.length > 0) {
            throw new EtcdClusterArgsError(membership.problems, `membership change of EtcdCluster ${JSON.stringify(name)} (nothing was changed)`);
        }
        membership.warnings.forEach((w) => pulumi.log.warn(w, parent));
        return membership;
    });
}

/**
 * What a change of the members touches: every desired member's container settings, hashed. Equal on the deployment
 * that created the cluster and on a re-run of it; changed when members' containers change or members come or go.
 */
export function rolloutKey(cluster: ResolvedCluster, plan: ClusterPlan): string {
    const members = plan.members.map((m) => ({
        name: m.name, env: [...m.envBefore, ...m.envAfter], labels: m.labels, ports: m.ports, health: m.healthcheckTest,
    }));
    const text = JSON.stringify({ image: cluster.image, restart: cluster.restartPolicy, network: cluster.networkMode, members });
    return crypto.createHash("sha256").update(text).digest("hex");
}

/**
 * The snapshot before a change of the members (`rollout.snapshotBeforeChanges`, else undefined): re-run whenever
 * {@link rolloutKey} changes; every member change waits for it. Only the members that ran before the change are asked.
 */
export function createRolloutSnapshot(
    name: string, cluster: ResolvedCluster, plan: ClusterPlan, membership: pulumi.Output<MembershipPlan>,
    rootPassword: pulumi.Output<string> | undefined, parent: pulumi.Resource,
): command.local.Command | undefined {
    if (!cluster.rollout.snapshotBeforeChanges) return undefined;
    const spec = healthCheckSpec(name, plan, cluster.healthCheck.timeoutSeconds);
    return new command.local.Command(`${name}-rollout-snapshot`, {
        create: snapshotScript({ clusterName: name, hosts: spec.hosts, probes: spec.probes, etcdctlFlags: plan.etcdctlFlags, auth: plan.auth, directory: cluster.rollout.snapshotDir }),
        environment: commandEnvironment(plan, rootPassword),
        ...(rootPassword === undefined ? {} : { logging: "none" as const }),
        triggers: [membership.apply(() => rolloutKey(cluster, plan))],
        // Which members it may ask changes with every scale change; that alone must not re-run it. A new rollout
        // key replaces it, and a replacement takes the program's current inputs.
    }, { parent, ignoreChanges: ["create", "environment"] });
}

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

/** The member's own host, alone: its gate and leave reach nothing else, so they never change when other members do. */
function ownPlan(plan: ClusterPlan, m: MemberPlan): ClusterPlan {
    return { ...plan, members: [m], hosts: plan.hosts.filter((h) => h.name === m.hostName) };
}

export function memberScripts(
    name: string, cluster: ResolvedCluster, plan: ClusterPlan, m: MemberPlan, membership: pulumi.Output<MembershipPlan>,
    discovery: pulumi.Output<string> | undefined, rootPassword: pulumi.Output<string> | undefined,
): MemberScripts {
    const own = healthCheckSpec(name, ownPlan(plan, m), cluster.rollout.memberTimeoutSeconds);
    const ownSpec: OwnMemberSpec = {
        clusterName: name, member: m.name, host: own.hosts[0], containerName: m.containerName, localClientUrl: m.localClientUrl,
        etcdctlFlags: plan.etcdctlFlags, auth: plan.auth,
    };
    const all = healthCheckSpec(name, plan, cluster.rollout.memberTimeoutSeconds);
    const founding = discovery === undefined ? pulumi.output(foundingLines(m)) :
        discovery.apply((d) => foundingLines(m, { bootstrap: cluster.bootstrap, value: d }));
    const joinSpec = pulumi.all([membership, founding]).apply(([mp, lines]) => {
        const role = mp.roles[m.name];
        // Every host, as in joinEnvironment (a tcp host's TLS material is named by its index there). Joining: ask the
        // members that run; existing: read the member's own container.
        const probes = role === "existing" ? all.probes.filter((p) => p.member === m.name) :
            all.probes.filter((p) => p.member !== m.name && mp.roles[p.member] === "existing");
        const access = { hosts: all.hosts, probes };
        return {
            clusterName: name, member: m.name, peerUrl: m.peerUrl, role, foundingLines: lines, containerName: m.containerName,
            ...access, etcdctlFlags: plan.etcdctlFlags, auth: plan.auth, timeoutSeconds: cluster.rollout.memberTimeoutSeconds,
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
        gate: gateScript({ ...ownSpec, timeoutSeconds: cluster.rollout.memberTimeoutSeconds, maxAppliedLag: cluster.rollout.maxAppliedLag }),
        preStop: preStopScript(ownSpec),
        leave: leaveScript({ ...ownSpec, timeoutSeconds: cluster.rollout.memberTimeoutSeconds }),
        dropVolume: membership.apply(() => dropVolumeScript({ clusterName: name, member: m.name, volumeName: m.volumeName, host: own.hosts[0] })),
        environment: commandEnvironment(ownPlan(plan, m), rootPassword),
    };
}
