/** What the destroy of a cluster that keeps its data volumes says about them. */
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import type { ClusterPlan } from "../plan/cluster";
import type { ResolvedCluster } from "../resolve/model";
import { retainedVolumesNotice } from "../scripts/volume";

/**
 * With `dataVolumes.onDestroy: "retain"`, a command whose delete prints which volumes stay on which hosts and how
 * to delete them: the engine runs it when the cluster is destroyed (a delete's output is shown like a create's),
 * and the volumes themselves are only dropped from the state (`retainOnDelete`). Undefined with "delete".
 */
export function createRetentionNotice(name: string, cluster: ResolvedCluster, plan: ClusterPlan, parent: pulumi.Resource): command.local.Command | undefined {
    if (cluster.operations.dataVolumes.onDestroy !== "retain") return undefined;
    const hostUrl = new Map(plan.hosts.map((h) => [h.name, h.host.url]));
    const volumes = plan.members.map((m) => ({ volumeName: m.volumeName, hostUrl: hostUrl.get(m.hostName)! }));
    return new command.local.Command(`${name}-retained-volumes`, { delete: retainedVolumesNotice(name, volumes) }, { parent });
}
