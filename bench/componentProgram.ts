/** The program under test: EtcdCluster components, as a user's `index.ts` would declare them. */
import { EtcdCluster } from "../components/resources/etcdCluster";
import { EtcdClusterArgs } from "../components/args";
import { BenchCluster } from "./topology";

export function componentArgs(c: BenchCluster, hostUrls: string[], image: string, extra: Partial<EtcdClusterArgs> = {}): EtcdClusterArgs {
    const used = [...new Set(c.members.map((m) => m.hostIndex))].sort((a, b) => a - b);
    return {
        image,
        hosts: used.map((i) => ({ name: `h${i + 1}`, url: hostUrls[i] })),
        members: c.members.map((m) => ({ name: m.name, host: `h${m.hostIndex + 1}`, clientPort: m.clientPort, peerPort: m.peerPort })),
        ...extra,
    };
}

export function componentProgram(clusters: BenchCluster[], hostUrls: string[], image: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const c of clusters) {
        const cluster = new EtcdCluster(c.name, componentArgs(c, hostUrls, image));
        out[`${c.name}-endpoints`] = cluster.clientEndpoints;
    }
    return out;
}
