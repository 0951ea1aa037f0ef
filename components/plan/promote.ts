/**
 * Whether and where to promote a learner, decided from `etcdctl member list -w json` and `etcdctl endpoint status
 * --cluster -w json` as a voting member answers them. Pure; the promote script (scripts/join.ts) gathers both and
 * runs {@link decidePromotion} with `node` (it carries the function's source text, as the diagnosis does), so it
 * uses nothing but its arguments and JavaScript's builtins.
 *
 * Why through the leader: only the leader knows whether a learner is ready, so a follower forwards `member promote`
 * to the leader over the peer HTTP API (etcd server/etcdserver/server.go, PromoteMember → promoteMemberHTTP in
 * cluster_util.go). Before etcd 3.5.28 and 3.6.6 that request carried no credentials, so with auth on the leader's
 * handler (etcdserver/api/etcdhttp/peer.go, peerMemberPromoteHandler) refused it with "auth: user name is empty"
 * and the follower retried until "request timed out" (etcd-io/etcd#20757; fixed by etcd-io/etcd#20792 in 3.6.6 and
 * 3.7, backported by #21494 to 3.5.28; 3.4 will not get it). Sent to the leader itself, the promote is never
 * forwarded, on any patch. Leadership can move between the status and the promote: the script then asks again.
 */

/** The decision, as one line the shell reads: the action first. */
export type PromotionLine =
    /** In the member list as a voter already: nothing to do. */
    | `voter ${string}`
    /** Not in the member list (removed, or never added). */
    | "absent"
    /** Ready: `promote <hex id> <leader name or -> <leader client URL or -> <learner applied> <leader applied>`. */
    | `promote ${string}`
    /** Not yet: `wait <hex id> <why>`. */
    | `wait ${string}`;

/**
 * Decides for the member whose peer URLs include `peerUrl`. A learner is ready when its applied index reaches
 * `readyPercent` of the leader's (etcd-operator's rule; etcd's own check on the leader is 90 % of the leader's
 * commit index, server.go isLearnerReady). The leader is the member that reports itself as leader at the highest
 * raft term among the answers; its client URL comes from its status entry, else from the member list.
 */
export function decidePromotion(memberListJson: string, statusJson: string, peerUrl: string, readyPercent: number): string {
    // Member IDs are uint64: beyond 2^53 a JSON number loses digits, so every long number is read as a string.
    const parse = (text: string): unknown => {
        try {
            return JSON.parse(text.replace(/([:[,]\s*)(\d{16,})/g, '$1"$2"'));
        } catch {
            return undefined;
        }
    };
    const hex = (id: unknown) => (id === undefined || id === null || id === "" ? "" : BigInt(String(id)).toString(16));
    interface Member { ID?: unknown; name?: string; peerURLs?: string[]; clientURLs?: string[]; isLearner?: boolean }
    interface Status { Endpoint?: string; Status?: { header?: { member_id?: unknown }; leader?: unknown; raftTerm?: unknown; raftAppliedIndex?: unknown; isLearner?: boolean } }
    const list = parse(memberListJson) as { members?: Member[] } | undefined;
    const members = list?.members ?? [];
    if (members.length === 0) return "wait - no member list";
    const self = members.find((m) => (m.peerURLs ?? []).includes(peerUrl));
    if (!self) return "absent";
    const id = hex(self.ID);
    if (!self.isLearner) return `voter ${id}`;
    const parsed = parse(statusJson);
    const statuses = (Array.isArray(parsed) ? parsed : []) as Status[];
    const num = (v: unknown) => Number(v ?? 0);
    const leaders = statuses.filter((s) => s.Status && hex(s.Status.header?.member_id) === hex(s.Status.leader) && hex(s.Status.leader) !== "");
    leaders.sort((a, b) => num(b.Status!.raftTerm) - num(a.Status!.raftTerm));
    const lead = leaders[0];
    if (!lead) return `wait ${id} no leader among the ${statuses.length} members that answered endpoint status`;
    const leadId = hex(lead.Status!.leader);
    const leadMember = members.find((m) => hex(m.ID) === leadId);
    const mine = statuses.find((s) => hex(s.Status?.header?.member_id) === id);
    const want = num(lead.Status!.raftAppliedIndex);
    const url = lead.Endpoint || (leadMember?.clientURLs ?? [])[0] || "-";
    // A learner that does not answer (with auth on etcd 3.6.17 never does: it cannot authenticate a user) is promoted
    // all the same: the leader refuses a learner that is not in sync ("can only promote a learner member which is in
    // sync with leader", server.go isLearnerReady), and the script asks again.
    if (!mine) return `promote ${id} ${leadMember?.name || "-"} ${url} - ${want}`;
    const have = num(mine.Status!.raftAppliedIndex);
    if (have * 100 < want * readyPercent) return `wait ${id} catching up: applied index ${have} of the leader's ${want}`;
    return `promote ${id} ${leadMember?.name || "-"} ${url} ${have} ${want}`;
}
