// @ts-check
/**
 * The decisions the generated scripts take about a running cluster, over what etcdctl prints with `-w json`
 * (`member list`, `endpoint status`): who a member is, the initial cluster of a joining member, whether a learner is
 * ready to promote and where the promote goes, the gate's verdict, the member to hand leadership to, which members
 * vote, the health check's verdict. The shell only gathers (it saves etcdctl's JSON to files) and acts on the one line a decision prints.
 *
 * Why JavaScript, and why one file with no imports: the scripts carry this file's own text, read from the package
 * where it is installed, and run it with `node -e` where Pulumi runs (see scripts/decide.ts). What runs in a script is
 * then exactly this file, however the caller's program was transpiled (esbuild's name-keeping under `tsx`, coverage
 * instrumentation), and the unit tests run the same functions. `// @ts-check` has tsc check it like the TypeScript.
 *
 * etcdctl's JSON is the same shape on 3.4 … 3.7 (newer lines add fields such as `storageVersion`); its text tables
 * are not (3.6 added six `endpoint status` columns, 3.7 draws tables with "│"), which is why nothing decides on them.
 */
"use strict";

/**
 * @typedef {{ id: string, name: string, peerURLs: string[], clientURLs: string[], isLearner: boolean }} Member
 *   One `member list` entry; `id` in hex, as etcdctl's other commands take it; `name` is empty until it started.
 * @typedef {{ endpoint: string, id: string, leader: string, isLearner: boolean, raftTerm: number,
 *   appliedIndex: number, errors: string[], version: string }} Status
 *   One `endpoint status` entry; `leader` is the hex ID of the leader it knows ("" when it knows none).
 */

/**
 * Parses etcdctl's JSON. Member IDs are uint64: beyond 2^53 a JSON number loses digits, so every number of 16 or more
 * digits is read as a string. Lines before the JSON (a client library's log line) are skipped.
 * @param {string} text
 * @returns {any}
 */
function parse(text) {
    const start = text.search(/^[[{](?!"level")/m);
    if (start < 0) return undefined;
    try {
        return JSON.parse(text.slice(start).replace(/([:[,]\s*)(\d{16,})/g, '$1"$2"'));
    } catch {
        return undefined;
    }
}

/** @param {unknown} id a decimal member ID (number or string); "" for none or 0 */
function hex(id) {
    if (id === undefined || id === null || id === "") return "";
    const n = BigInt(String(id));
    return n === BigInt(0) ? "" : n.toString(16);
}

/** @param {string} text `etcdctl member list -w json` @returns {Member[]} (empty when it is not that) */
function members(text) {
    const list = parse(text);
    const raw = list && Array.isArray(list.members) ? list.members : [];
    return raw.map((/** @type {any} */ m) => ({
        id: hex(m.ID),
        name: m.name || "",
        peerURLs: m.peerURLs || [],
        clientURLs: m.clientURLs || [],
        isLearner: m.isLearner === true,
    }));
}

/** @param {string} text `etcdctl endpoint status -w json` (one member or `--cluster`) @returns {Status[]} */
function statuses(text) {
    const parsed = parse(text);
    return (Array.isArray(parsed) ? parsed : []).filter((s) => s && s.Status).map((/** @type {any} */ s) => ({
        endpoint: s.Endpoint || "",
        id: hex(s.Status.header && s.Status.header.member_id),
        leader: hex(s.Status.leader),
        isLearner: s.Status.isLearner === true,
        raftTerm: Number(s.Status.raftTerm || 0),
        appliedIndex: Number(s.Status.raftAppliedIndex || 0),
        errors: s.Status.errors || [],
        version: s.Status.version || "",
    }));
}

/**
 * The leader among the answers: a member that reports itself as leader, at the highest raft term.
 * @param {Status[]} all
 */
function leaderOf(all) {
    return all.filter((s) => s.id !== "" && s.id === s.leader).sort((a, b) => b.raftTerm - a.raftTerm)[0];
}

/**
 * The member whose peer URLs include `peerUrl`, as `<hex id> started|unstarted voter|learner`; `absent` when there
 * is none, `unknown` when the text is not a member list.
 * @param {string} listText @param {string} peerUrl
 */
function self(listText, peerUrl) {
    const all = members(listText);
    if (all.length === 0) return "unknown";
    const m = all.find((x) => x.peerURLs.includes(peerUrl));
    if (!m) return "absent";
    return `${m.id} ${m.name ? "started" : "unstarted"} ${m.isLearner ? "learner" : "voter"}`;
}

/**
 * A joining member's `ETCD_INITIAL_CLUSTER`: every other member by name and peer URL (an unstarted one has no name:
 * `=<peer URL>`, as `etcdctl member add` prints it), then itself. etcd refuses to start a joining member whose initial
 * cluster counts other members than the cluster does.
 * https://etcd.io/docs/v3.6/op-guide/runtime-configuration/#add-a-new-member
 * @param {string} listText @param {string} member @param {string} peerUrl
 */
function initialCluster(listText, member, peerUrl) {
    const others = members(listText).filter((m) => !m.peerURLs.includes(peerUrl) && m.name !== member);
    return [...others.flatMap((m) => m.peerURLs.map((u) => `${m.name}=${u}`)), `${member}=${peerUrl}`].join(",");
}

/**
 * What a dropped joining member's delete does: `absent` (not in the cluster), `voter <id>` (a started voter: its
 * leave removes it, not its join) or `remove <id>` (added, never started or never promoted).
 * @param {string} listText @param {string} peerUrl
 */
function drop(listText, peerUrl) {
    const m = members(listText).find((x) => x.peerURLs.includes(peerUrl));
    if (!m) return "absent";
    return m.name && !m.isLearner ? `voter ${m.id}` : `remove ${m.id}`;
}

/**
 * A member's own status as `<hex id> leader|follower voter|learner`, or "" when it did not answer.
 * @param {string} ownText `endpoint status -w json` of the member alone
 */
function own(ownText) {
    const s = statuses(ownText)[0];
    if (!s) return "";
    return `${s.id} ${s.id === s.leader ? "leader" : "follower"} ${s.isLearner ? "learner" : "voter"}`;
}

/**
 * The gate's verdict on a member: `ready <id> <applied> <leader's applied>` once it answers with no error, is a voter,
 * a leader answers, and its applied index is within `maxLag` of the leader's; otherwise `wait <why>`.
 * @param {string} ownText `endpoint status -w json` of the member @param {string} clusterText of every member
 * @param {number | string} maxLag
 */
function gate(ownText, clusterText, maxLag) {
    const s = statuses(ownText)[0];
    if (!s) return "wait no endpoint status";
    const at = `(applied index ${s.appliedIndex})`;
    if (s.errors.length > 0) return `wait ${s.errors.join("; ")} ${at}`;
    if (s.isLearner) return `wait still a learner ${at}`;
    const lead = leaderOf(statuses(clusterText));
    if (!lead) return `wait no leader answers ${at}`;
    if (lead.appliedIndex - s.appliedIndex > Number(maxLag)) return `wait catching up: applied index ${s.appliedIndex}, the leader's ${lead.appliedIndex}`;
    return `ready ${s.id} ${s.appliedIndex} ${lead.appliedIndex}`;
}

/**
 * Whom a leader hands leadership to before it stops: the answering voter other than itself with the highest applied
 * index; "" when there is none.
 * @param {string} clusterText @param {string} selfId hex
 */
function successor(clusterText, selfId) {
    const best = statuses(clusterText).filter((s) => s.id !== selfId && s.id !== "" && !s.isLearner)
        .sort((a, b) => b.appliedIndex - a.appliedIndex)[0];
    return best ? best.id : "";
}

/**
 * The voting members' client URLs, comma-separated: what `endpoint status` can ask when a learner makes `--cluster`
 * fail (with auth on, a learner cannot authenticate a user).
 * @param {string} listText
 */
function voters(listText) {
    return members(listText).filter((m) => !m.isLearner && m.clientURLs.length > 0).map((m) => m.clientURLs[0]).join(",");
}

/**
 * Whether and where to promote the learner whose peer URLs include `peerUrl`: `voter <id>`, `absent`,
 * `wait <id|-> <why>` or `promote <id> <leader name|-> <leader client URL|-> <learner applied|-> <leader applied>`.
 * A learner is ready when its applied index reaches `readyPercent` of the leader's (etcd-operator's rule; etcd's own
 * check on the leader is 90 % of its commit index, server.go isLearnerReady). The promote goes to the leader: a
 * follower forwards it over the peer API, before etcd 3.5.28/3.6.6 without the caller's credentials, which a leader
 * with auth on refuses ("auth: user name is empty", etcd-io/etcd#20757).
 * @param {string} listText @param {string} statusText @param {string} peerUrl @param {number | string} readyPercent
 */
function promotion(listText, statusText, peerUrl, readyPercent) {
    const all = members(listText);
    if (all.length === 0) return "wait - no member list";
    const me = all.find((m) => m.peerURLs.includes(peerUrl));
    if (!me) return "absent";
    if (!me.isLearner) return `voter ${me.id}`;
    const answers = statuses(statusText);
    const lead = leaderOf(answers);
    if (!lead) return `wait ${me.id} no leader among the ${answers.length} members that answered endpoint status`;
    const leadMember = all.find((m) => m.id === lead.id);
    const url = lead.endpoint || (leadMember && leadMember.clientURLs[0]) || "-";
    const leadName = (leadMember && leadMember.name) || "-";
    // A learner that does not answer (with auth on etcd 3.6.17 never does: it cannot authenticate a user) is promoted
    // all the same: the leader refuses one that is not in sync, and the script asks again.
    const mine = answers.find((s) => s.id === me.id);
    if (!mine) return `promote ${me.id} ${leadName} ${url} - ${lead.appliedIndex}`;
    if (mine.appliedIndex * 100 < lead.appliedIndex * Number(readyPercent)) {
        return `wait ${me.id} catching up: applied index ${mine.appliedIndex} of the leader's ${lead.appliedIndex}`;
    }
    return `promote ${me.id} ${leadName} ${url} ${mine.appliedIndex} ${lead.appliedIndex}`;
}

/**
 * The health check's verdict on the cluster one member described (`member list -w json` and `endpoint health --cluster
 * -w json` through it), as lines `healthy <n>`, `missing <name…>`, `leaving <name(id)…>`, `learners <name(id)…>`:
 * - healthy: wanted members with a name whose client URL answered healthy;
 * - missing: wanted members not started (or not listed);
 * - leaving: listed members the deployment does not want (by name; an unnamed one by its peer URL), removed after the
 *   check: they need not answer (a member whose host is gone is removed exactly so);
 * - learners: wanted members (or an unnamed one with a wanted peer URL) that are still learners: a join that did not finish.
 * @param {string} listText @param {string} healthText @param {string} expected wanted names, space-separated
 * @param {string} peers the wanted members' peer URLs, space-separated
 */
function health(listText, healthText, expected, peers) {
    const want = new Set(expected.split(" ").filter(Boolean));
    const wantPeer = new Set(peers.split(" ").filter(Boolean));
    const all = members(listText);
    const parsed = parse(healthText);
    const ok = new Set((Array.isArray(parsed) ? parsed : []).filter((h) => h && h.health === true).map((h) => h.endpoint));
    const wanted = (/** @type {Member} */ m) => (m.name ? want.has(m.name) : wantPeer.has(m.peerURLs[0]));
    const tag = (/** @type {Member} */ m) => ` ${m.name || "<unnamed>"}(${m.id})`;
    const healthy = all.filter((m) => m.name && want.has(m.name) && m.clientURLs.some((u) => ok.has(u))).length;
    const missing = [...want].filter((n) => !all.some((m) => m.name === n)).map((n) => ` ${n}`);
    return [
        `healthy ${healthy}`,
        `missing${missing.join("")}`,
        `leaving${all.filter((m) => !wanted(m)).map(tag).join("")}`,
        `learners${all.filter((m) => m.isLearner && wanted(m)).map(tag).join("")}`,
    ].join("\n");
}

/**
 * The member list and endpoint health as etcdctl prints them without `-w json`, for the health check's report:
 * `<id>, started|unstarted, <name>, <peer URLs>, <client URLs>, <is learner>` and `<endpoint> is healthy: …`.
 * @param {string} listText @param {string} healthText
 */
function report(listText, healthText) {
    const list = members(listText).map((m) => [m.id, m.name ? "started" : "unstarted", m.name, m.peerURLs.join(","), m.clientURLs.join(","), m.isLearner].join(", "));
    const parsed = parse(healthText);
    const healths = (Array.isArray(parsed) ? parsed : []).map((/** @type {any} */ h) => (h.health === true
        ? `${h.endpoint} is healthy: successfully committed proposal: took = ${h.took}`
        : `${h.endpoint} is unhealthy: failed to commit proposal: ${h.error || "no answer"}`));
    return [...list, ...healths].join("\n");
}

/** The decisions by the name a script calls them with. */
const decisions = { self, initialCluster, drop, own, gate, successor, voters, promotion, health, report };

/**
 * The script's entry: `<decision> <argument…>`, where an argument `@<file>` stands for that file's text (what a script
 * saved from etcdctl). Prints the decision's line.
 * @param {string[]} argv
 */
function main(argv) {
    const [name, ...args] = argv;
    const fn = /** @type {((...a: string[]) => string) | undefined} */ (Object.prototype.hasOwnProperty.call(decisions, name) ? decisions[/** @type {keyof typeof decisions} */ (name)] : undefined);
    if (!fn) throw new Error(`decide: no decision ${JSON.stringify(name)} (${Object.keys(decisions).join(", ")})`);
    const text = args.map((a) => (a.startsWith("@") ? require("fs").readFileSync(a.slice(1), "utf8") : a));
    process.stdout.write(`${fn(...text)}\n`);
}

module.exports = { members, statuses, self, initialCluster, drop, own, gate, successor, voters, promotion, health, report, main };
