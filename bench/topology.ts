/**
 * The benchmark's cluster layouts, in plain data shared by every variant so they deploy/declare the same
 * containers: member i of cluster c runs on lab host i mod hosts, with client port 4000 + 20c + 2i and the
 * peer port right above it (the bench's 4000–4999 range; names and cluster labels start with `bench-`).
 */
export interface BenchMember {
    name: string;
    hostIndex: number;
    clientPort: number;
    peerPort: number;
}

export interface BenchCluster {
    name: string;
    members: BenchMember[];
}

export function benchCluster(prefix: string, clusterIndex: number, members: number, hosts: number, basePort = 4000): BenchCluster {
    const name = `${prefix}${clusterIndex === 0 ? "" : `-c${clusterIndex}`}`;
    return {
        name,
        members: Array.from({ length: members }, (_, i) => ({
            name: `${name}-n${i + 1}`,
            hostIndex: i % hosts,
            clientPort: basePort + 20 * clusterIndex + 2 * i,
            peerPort: basePort + 20 * clusterIndex + 2 * i + 1,
        })),
    };
}
