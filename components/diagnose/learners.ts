/**
 * Learners that were never promoted, from what the diagnosis gathered through a voting member (`member list -w
 * json`, `endpoint status --cluster -w json`) and each member container's start time: how far behind the leader
 * each one is, for how long it has been a learner at least, and what to do. Pure; the diagnosis script runs it with
 * `node` from its source text (see diagnose.ts), so it uses nothing but its arguments and JavaScript's builtins.
 *
 * A learner answers neither `endpoint health` ("rpc not supported for learner") nor any write, and does not count
 * towards quorum: a scale-out that stopped after `member add` leaves one behind (https://etcd.io/docs/v3.6/learning/design-learner/).
 */

/** Observation tags this reads (printed by scripts/diagnose.ts). */
export const learnerTags = {
    /** `cluster-members <member list -w json>` */
    members: "cluster-members",
    /** `cluster-status <endpoint status --cluster -w json>` */
    status: "cluster-status",
    /** `now <epoch seconds>` where the diagnosis ran */
    now: "now",
    /** `since <RFC 3339 time>`: when the current member's container started (after its `member` line) */
    since: "since",
    /** `peer <URL>`: the current member's advertised peer URL, which names a learner that never started */
    peer: "peer",
} as const;

/** One learner: the member's name (as the diagnosis names members) and what to say about it. */
export interface LearnerEntry { member: string; text: string }

export function learnerEntries(observations: string): LearnerEntry[] {
    const parse = (text: string): unknown => {
        try {
            return JSON.parse(text.replace(/([:[,]\s*)(\d{16,})/g, '$1"$2"'));
        } catch {
            return undefined;
        }
    };
    const hex = (id: unknown) => (id === undefined || id === null || id === "" ? "" : BigInt(String(id)).toString(16));
    let members: { ID?: unknown; name?: string; peerURLs?: string[]; isLearner?: boolean }[] = [];
    let statuses: { Endpoint?: string; Status?: { header?: { member_id?: unknown }; leader?: unknown; raftTerm?: unknown; raftAppliedIndex?: unknown } }[] = [];
    let now = 0;
    const since: Record<string, string> = {};
    const peerOf: Record<string, string> = {};
    let current = "";
    for (const line of observations.split("\n")) {
        const space = line.indexOf(" ");
        const tag = space < 0 ? line : line.slice(0, space);
        const rest = space < 0 ? "" : line.slice(space + 1);
        if (tag === "member") current = rest.split(" ")[0];
        else if (tag === "cluster-members") members = ((parse(rest) as { members?: typeof members } | undefined)?.members) ?? [];
        else if (tag === "cluster-status") { const s = parse(rest); statuses = Array.isArray(s) ? s : []; }
        else if (tag === "now") now = Number(rest);
        else if (tag === "since" && current !== "") since[current] = rest.trim();
        else if (tag === "peer" && current !== "") peerOf[current] = rest.trim();
    }
    const num = (v: unknown) => Number(v ?? 0);
    const lead = statuses.filter((s) => s.Status && hex(s.Status.header?.member_id) !== "" && hex(s.Status.header?.member_id) === hex(s.Status.leader))
        .sort((a, b) => num(b.Status!.raftTerm) - num(a.Status!.raftTerm))[0];
    const out: LearnerEntry[] = [];
    for (const m of members.filter((x) => x.isLearner)) {
        const id = hex(m.ID);
        const name = m.name || "";
        const mine = statuses.find((s) => hex(s.Status?.header?.member_id) === id);
        const started = since[name] ? Date.parse(since[name]) : NaN;
        const minutes = now > 0 && !isNaN(started) ? Math.max(0, Math.round((now * 1000 - started) / 60000)) : undefined;
        const howLong = minutes === undefined ? "" : `, for at least ${minutes} min (its container started at ${since[name]})`;
        const leaderUrl = lead?.Endpoint ?? "<the leader's client URL>";
        const promoteByHand = `etcdctl --endpoints=${leaderUrl} member promote ${id} (to the leader: before etcd 3.5.28 and 3.6.6 a follower forwards ` +
            `a promote without your credentials and, with auth on, the leader refuses it, etcd-io/etcd#20757)`;
        const giveUp = `to give it up instead, drop it from members and deploy (its join removes it from the cluster)`;
        // Never started: etcd knows it by its peer URL only, which says which member of the program it is.
        const mate = Object.keys(peerOf).find((k) => (m.peerURLs ?? []).includes(peerOf[k]));
        if (name === "" && mate !== undefined) {
            out.push({ member: mate, text: `${mate} (ID ${id}) was added as a learner but never started as a member of the cluster: its container ` +
                `exists, and etcd in it never reached the other members.\n    fix: see its container's state and log; once it runs, deploy again ` +
                `to promote it, or ${giveUp}` });
            continue;
        }
        if (name === "") {
            out.push({ member: `<unstarted ${id}>`, text: `member ${id} (peer URL ${(m.peerURLs ?? []).join(",")}) was added as a learner but never started.\n` +
                `    fix: deploy again (the member's container is created and the learner promoted), or ${giveUp}` });
            continue;
        }
        const where = `${name} (ID ${id}) is a learner that was never promoted${howLong}`;
        if (!mine || !lead) {
            out.push({ member: name, text: `${where}; ${!mine ? "it does not answer endpoint status (stopped, paused or cut off? With auth on, etcd 3.6.17 never answers it from a learner)" : "no leader answered endpoint status"}.\n` +
                `    fix: see its container's state and log; once it answers and has caught up, deploy again to promote it, or ${giveUp}` });
            continue;
        }
        const have = num(mine.Status!.raftAppliedIndex);
        const want = num(lead.Status!.raftAppliedIndex);
        const behind = `applied index ${have} of the leader's ${want} (${Math.max(0, want - have)} behind)`;
        out.push(have * 10 >= want * 9
            ? { member: name, text: `${where}: ${behind}, caught up.\n    fix: deploy again, which promotes it through the leader; or by hand: ${promoteByHand}; or ${giveUp}` }
            : { member: name, text: `${where}: ${behind}.\n    fix: it is still catching up; if the gap does not shrink, see its log (a snapshot it cannot receive, ` +
                `peers it cannot reach); once caught up deploy again to promote it, or ${giveUp}` });
    }
    return out;
}
