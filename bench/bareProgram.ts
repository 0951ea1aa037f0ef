/**
 * The baseline: what a user writes without the component, straight @pulumi/docker resources for the same
 * members (a provider and an image per host, a volume and a container per member, the same ETCD_* settings
 * written out by hand). No validation, no random token, no health check.
 */
import * as docker from "@pulumi/docker";
import { BenchCluster } from "./topology";

export function bareProgram(clusters: BenchCluster[], hostUrls: string[], image: string, addresses: string[]): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const c of clusters) {
        const hosts = new Map<number, { provider: docker.Provider; image: docker.RemoteImage }>();
        for (const i of new Set(c.members.map((m) => m.hostIndex))) {
            const provider = new docker.Provider(`${c.name}-h${i + 1}`, { host: hostUrls[i] });
            hosts.set(i, { provider, image: new docker.RemoteImage(`${c.name}-h${i + 1}-image`, { name: image, keepLocally: true }, { provider }) });
        }
        const initial = c.members.map((m) => `${m.name}=http://${addresses[m.hostIndex]}:${m.peerPort}`).join(",");
        for (const m of c.members) {
            const { provider, image: img } = hosts.get(m.hostIndex)!;
            const volume = new docker.Volume(`${m.name}-data`, { name: `${m.name}-data` }, { provider });
            const container = new docker.Container(m.name, {
                name: m.name,
                image: img.imageId,
                networkMode: "host",
                restart: "unless-stopped",
                volumes: [{ volumeName: volume.name, containerPath: "/var/lib/etcd" }],
                labels: [{ label: "etcd-cluster.cluster", value: c.name }],
                envs: [
                    `ETCD_NAME=${m.name}`,
                    "ETCD_DATA_DIR=/var/lib/etcd/data",
                    `ETCD_LISTEN_PEER_URLS=http://0.0.0.0:${m.peerPort}`,
                    `ETCD_LISTEN_CLIENT_URLS=http://0.0.0.0:${m.clientPort}`,
                    `ETCD_INITIAL_ADVERTISE_PEER_URLS=http://${addresses[m.hostIndex]}:${m.peerPort}`,
                    `ETCD_ADVERTISE_CLIENT_URLS=http://${addresses[m.hostIndex]}:${m.clientPort}`,
                    `ETCD_INITIAL_CLUSTER=${initial}`,
                    "ETCD_INITIAL_CLUSTER_STATE=new",
                    `ETCD_INITIAL_CLUSTER_TOKEN=${c.name}-token`,
                ],
            }, { provider });
            out[`${m.name}-name`] = container.name;
        }
    }
    return out;
}
