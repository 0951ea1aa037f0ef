/**
 * The maintenance container (`maintenance`): on its host, with the snapshots' volume, the cluster's client
 * certificate (TLS) and root's password (auth) in its environment, so that backups and defragmentation keep running
 * between deployments. Nothing of a member depends on it.
 */
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import type { ClusterPlan } from "../plan/cluster";
import { tlsFiles } from "../plan/security";
import type { ResolvedCluster } from "../resolve/model";
import { backupDir, maintenanceScript } from "../scripts/maintenance";
import type { ClusterTls } from "./certificates";
import { toLabels } from "./docker";

export interface Maintenance {
    container: docker.Container;
    volume: docker.Volume;
}

/** Undefined without `maintenance`. Created after the health check (`dependsOn`), so it starts on a healthy cluster. */
export function createMaintenance(
    name: string, cluster: ResolvedCluster, plan: ClusterPlan, provider: docker.Provider, tls: ClusterTls | undefined,
    rootPassword: pulumi.Output<string> | undefined, dependsOn: pulumi.Resource[], parent: pulumi.Resource,
): Maintenance | undefined {
    const m = cluster.operations.maintenance;
    if (m === undefined) return undefined;
    const labels = toLabels({ ...cluster.labels, "etcd-cluster.cluster": name, "etcd-cluster.role": "maintenance" });
    const volume = new docker.Volume(`${name}-backups`, { name: m.volumeName, labels }, { parent, provider, ignoreChanges: ["labels"], retainOnDelete: cluster.operations.dataVolumes.onDestroy === "retain" });
    const image = new docker.RemoteImage(`${name}-maintenance-image`, { name: m.image, keepLocally: true }, { parent, provider });
    const uploads = tls === undefined ? undefined : [
        { file: tlsFiles.ca, content: tls.ca, permissions: "0644" },
        { file: tlsFiles.clientCert, content: tls.clientCert, permissions: "0644" },
        { file: tlsFiles.clientKey, content: tls.clientKey, permissions: "0600" },
    ];
    const script = maintenanceScript({
        clusterName: name, endpoints: plan.clientEndpoints, etcdctlFlags: plan.etcdctlFlags,
        intervalSeconds: m.intervalSeconds, keep: m.keep, defrag: m.defrag,
    });
    const container = new docker.Container(`${name}-maintenance`, {
        name: `${name}-maintenance`,
        image: image.imageId,
        entrypoints: ["sh", "-c"],
        command: [script],
        // etcdctl reads ETCDCTL_USER; the whole environment is a secret in Pulumi's state.
        envs: rootPassword === undefined ? undefined : pulumi.secret(pulumi.interpolate`ETCDCTL_USER=root:${rootPassword}`.apply((u) => [u])),
        networkMode: "host",
        volumes: [{ volumeName: volume.name, containerPath: backupDir }],
        uploads,
        restart: "unless-stopped",
        labels,
        logDriver: cluster.operations.logs.driver,
        logOpts: cluster.operations.logs.options,
        destroyGraceSeconds: 5,
    }, { parent, provider, dependsOn });
    return { container, volume };
}
