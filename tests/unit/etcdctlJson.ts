/**
 * etcdctl's `-w json` answers built for tests, in the shape etcd 3.4 … 3.7 print them (tests/unit/plan/etcdctl-json
 * holds captured ones): member IDs are decimal uint64s, printed digit for digit even beyond 2^53; a member that never
 * started has no name and no client URLs; `endpoint status` names the leader by its ID.
 */

/** A member as `member list` knows it; `id` in hex, as the scripts print it. */
export interface MemberEntry { id: string; name: string; peer: string; client: string; learner: boolean }

export const memberEntry = (id: string, name: string, peer: string, client: string, learner = false): MemberEntry => ({ id, name, peer, client, learner });

/** One member's `endpoint status`: `leader` says it leads (else it names no leader). */
export interface StatusOptions { leader?: boolean; learner?: boolean; applied?: number; errors?: string; version?: string; term?: number }
export interface StatusEntry { endpoint: string; id: string; o: StatusOptions }

export const statusEntry = (endpoint: string, id: string, o: StatusOptions = {}): StatusEntry => ({ endpoint, id, o });

/** A hex ID as the decimal digits etcdctl prints, marked so that {@link digits} writes them as a bare JSON number. */
const dec = (hexId: string) => `#${BigInt(`0x${hexId}`).toString(10)}#`;
const digits = (value: unknown) => JSON.stringify(value).replace(/"#(\d+)#"/g, "$1");

/** `etcdctl member list -w json` of these members (asked through the first). */
export function memberListJson(...members: MemberEntry[]): string {
    return digits({
        header: { cluster_id: dec("1c45a069f3a1d796"), member_id: members[0] ? dec(members[0].id) : 0, raft_term: 2 },
        members: members.map((m) => ({
            ID: dec(m.id),
            ...(m.name ? { name: m.name } : {}),
            peerURLs: m.peer.split(","),
            ...(m.client ? { clientURLs: m.client.split(",") } : {}),
            ...(m.learner ? { isLearner: true } : {}),
        })),
    }) + "\n";
}

/** `etcdctl endpoint status -w json` of these members (one, or `--cluster`). */
export function statusJson(...entries: StatusEntry[]): string {
    return digits(entries.map(({ endpoint, id, o }) => ({
        Endpoint: endpoint,
        Status: {
            header: { cluster_id: dec("1c45a069f3a1d796"), member_id: dec(id), revision: 1, raft_term: o.term ?? 2 },
            version: o.version ?? "3.5.16",
            dbSize: 20480,
            ...(o.leader ? { leader: dec(id) } : {}),
            raftIndex: o.applied ?? 100,
            raftTerm: o.term ?? 2,
            raftAppliedIndex: o.applied ?? 100,
            ...(o.errors ? { errors: [o.errors] } : {}),
            dbSizeInUse: 16384,
            ...(o.learner ? { isLearner: true } : {}),
        },
    }))) + "\n";
}

/**
 * The survey script's `ml` and `es` lines (scripts/survey.ts) for members etcd-n1, etcd-n2 … on 10.77.0.11, .12 …
 * (ports 2379/2380) with these hex IDs, all etcd 3.5.16, etcd-n<leader> leading.
 */
export function surveyEtcdLines(ids: string[], leader: number): string[] {
    const at = (i: number, port: number) => `http://10.77.0.1${i}:${port}`;
    return [
        `ml ${memberListJson(...ids.map((id, k) => memberEntry(id, `etcd-n${k + 1}`, at(k + 1, 2380), at(k + 1, 2379)))).trim()}`,
        `es ${statusJson(...ids.map((id, k) => statusEntry(at(k + 1, 2379), id, { leader: k + 1 === leader }))).trim()}`,
    ];
}

/** `etcdctl endpoint health --cluster -w json`: each endpoint healthy or not (then with etcdctl's error). */
export function healthJson(...entries: { endpoint: string; healthy: boolean }[]): string {
    return JSON.stringify(entries.map(({ endpoint, healthy }) => ({
        endpoint, health: healthy, took: healthy ? "8.6ms" : "5.0s", ...(healthy ? {} : { error: "context deadline exceeded" }),
    }))) + "\n";
}
