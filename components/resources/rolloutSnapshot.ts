/**
 * The snapshot saved before a change of the members (`rollout.snapshotBeforeChanges`), and what decides when a new one
 * is due. https://etcd.io/docs/v3.6/op-guide/recovery/#snapshotting-the-keyspace
 */
import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import type { ClusterPlan } from "../plan/cluster";
import type { MembershipPlan } from "../plan/membership";
import type { ResolvedCluster } from "../resolve/model";
import type { ClusterAccess } from "../scripts/access";
import { snapshotScript } from "../scripts/snapshot";
import { commandEnvironment } from "./commands";

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
    name: string, access: ClusterAccess, cluster: ResolvedCluster, plan: ClusterPlan, membership: pulumi.Output<MembershipPlan>,
    rootPassword: pulumi.Output<string> | undefined, parent: pulumi.Resource,
): command.local.Command | undefined {
    if (!cluster.rollout.snapshotBeforeChanges) return undefined;
    return new command.local.Command(`${name}-rollout-snapshot`, {
        create: snapshotScript({ ...access, directory: cluster.rollout.snapshotDir }),
        environment: commandEnvironment(plan, rootPassword),
        ...(rootPassword === undefined ? {} : { logging: "none" as const }),
        triggers: [membership.apply(() => rolloutKey(cluster, plan))],
        // Which members it may ask changes with every scale change; that alone must not re-run it. A new rollout
        // key replaces it, and a replacement takes the program's current inputs.
    }, { parent, ignoreChanges: ["create", "environment"] });
}
