/**
 * From what was observed of each member (scripts/diagnose.ts gathers it: the container's state from `docker
 * inspect`, `endpoint health`, the cluster ID from `endpoint status`, the log since the container started) to a
 * cause and a fix per member that is not well, quoting the log line that says so. Pure.
 *
 * {@link diagnoseObservations} is also run by the generated scripts, with `node` (Pulumi's Node.js language host
 * runs programs with the `node` on PATH, so it is there where Pulumi runs): the scripts carry its source text
 * (`Function.prototype.toString`), so it uses nothing but its arguments and JavaScript's builtins.
 */
import { LogRule, logRules } from "./rules";

/** The observation lines the gathering script prints, one fact a line, each member's block opened by `member`. */
export const observationTags = {
    /** `member <name> <hostUrl> <container>` */
    member: "member",
    /** `unreachable <the docker CLI's last line>`: the host's Docker engine did not answer. */
    unreachable: "unreachable",
    /** `missing`: no such container on the host. */
    missing: "missing",
    /** `state <status> <exitCode> <oomKilled> <restarts>` (`docker inspect`) */
    state: "state",
    /** `health ok` or `health fail <etcdctl's last line>` (`endpoint health` of the member alone) */
    health: "health",
    /** `addr <host>`: the host of the peer URL the member advertises (what its peers dial). */
    address: "addr",
    /** `cid <cluster ID>` (`endpoint status -w json`) */
    clusterId: "cid",
    /** `log <line>`: the member's log since its container started, oldest first */
    log: "log",
} as const;

/**
 * The diagnosis of every member in `observations`, as text: one entry per member that is not well (cause, fix, and
 * the log line that shows it), or a line saying that every member is well.
 */
export function diagnoseObservations(observations: string, rules: LogRule[], learners: { member: string; text: string }[] = []): string {
    interface Seen { name: string; host: string; container: string; unreachable?: string; missing?: boolean;
        status?: string; exitCode?: string; oom?: boolean; restarts?: number; healthy?: boolean; health?: string; clusterId?: string;
        address?: string; logs: string[] }
    const members: Seen[] = [];
    for (const line of observations.split("\n")) {
        const space = line.indexOf(" ");
        const tag = space < 0 ? line : line.slice(0, space);
        const rest = space < 0 ? "" : line.slice(space + 1);
        const m = members[members.length - 1];
        if (tag === "member") {
            const [name, host, container] = rest.split(" ");
            members.push({ name, host, container, logs: [] });
        } else if (!m) {
            continue;
        } else if (tag === "unreachable") {
            m.unreachable = rest;
        } else if (tag === "missing") {
            m.missing = true;
        } else if (tag === "state") {
            const [status, exitCode, oom, restarts] = rest.split(" ");
            Object.assign(m, { status, exitCode, oom: oom === "true", restarts: Number(restarts) || 0 });
        } else if (tag === "health") {
            // With auth on and no credentials, an answer refusing the question is an answer.
            m.healthy = rest === "ok" || /user name is empty|permission denied/.test(rest);
            m.health = rest.replace(/^fail ?/, "");
        } else if (tag === "addr") {
            m.address = rest.trim();
        } else if (tag === "cid") {
            m.clusterId = rest.trim();
        } else if (tag === "log") {
            m.logs.push(rest);
        }
    }
    const counts = new Map<string, number>();
    for (const m of members) if (m.clusterId) counts.set(m.clusterId, (counts.get(m.clusterId) ?? 0) + 1);
    const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1]);
    const majority = ranked.length > 0 && (ranked.length === 1 || ranked[0][1] > ranked[1][1]) ? ranked[0][0] : undefined;
    const quote = (s: string) => (s.length > 300 ? `${s.slice(0, 300)}…` : s);
    /** A log line as quoted: 3.5's JSON as `<ts> <level> <msg>: <error> (<other fields>)`, without caller and stack. */
    const readable = (line: string) => {
        if (!line.startsWith("{")) return quote(line);
        try {
            const { ts, level, msg, error, caller, stacktrace, logger, ...rest } = JSON.parse(line) as Record<string, unknown>;
            const more = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`).join(", ");
            return quote(`${[ts, level, msg].filter((x) => x !== undefined).join(" ")}${error === undefined ? "" : `: ${String(error)}`}${more ? ` (${more})` : ""}`);
        } catch {
            return quote(line);
        }
    };
    const fromLog = (m: Seen) => {
        for (const rule of rules) {
            const re = new RegExp(rule.pattern);
            for (let i = m.logs.length - 1; i >= 0; i--) if (re.test(m.logs[i])) return { rule, line: m.logs[i] };
        }
        return undefined;
    };
    /**
     * What the other members say about this one: a certificate problem is logged by whoever dials the member, naming
     * its address ("certificate is valid for …, not <address>"), while the member itself only sees a bad handshake.
     */
    const fromPeers = (m: Seen) => {
        if (m.address === undefined) return undefined;
        const lines = members.filter((o) => o !== m).flatMap((o) => o.logs.filter((l) => l.includes(`not ${m.address}`) || l.includes(`"${m.address}`))).reverse();
        for (const rule of rules.filter((r) => r.id.startsWith("tls-") && r.id !== "tls-handshake")) {
            const re = new RegExp(rule.pattern);
            const line = lines.find((l) => re.test(l));
            if (line) return { rule, line };
        }
        return undefined;
    };
    /**
     * What endpoint health itself said: from etcd 3.6 a full quota is logged nowhere, and only etcdctl's
     * "Active Alarm(s): NOSPACE" says it (3.5 logged "alarm raised"). Shown as the health answer, not as a log line.
     */
    const fromHealth = (m: Seen) => {
        const health = m.health;
        // Only etcd's own answer ("<url> is unhealthy: …"); a connection error says nothing about the cause.
        if (health === undefined || !health.includes(" is unhealthy: ")) return undefined;
        const rule = rules.find((r) => new RegExp(r.pattern).test(health));
        return rule === undefined ? undefined : { rule, line: undefined };
    };
    const entries: string[] = [];
    const learnersDown = new Set<string>();
    for (const m of members) {
        const where = `${m.name} (container ${m.container} on ${m.host})`;
        const say = (cause: string, fix: string, line?: string) =>
            entries.push(`- ${where}: ${cause}.\n    fix: ${fix}.${line === undefined ? "" : `\n    log: ${readable(line)}`}`);
        if (m.unreachable !== undefined) {
            say(`the Docker engine of host ${m.host} cannot be reached (docker said: ${quote(m.unreachable)})`,
                `check that the host is up and that its Docker engine answers there (docker -H ${m.host} info), e.g. ssh access for ssh:// hosts`);
            continue;
        }
        if (m.missing) {
            say(`its container does not exist on ${m.host}`, "deploy again to recreate it (its data volume is kept)");
            continue;
        }
        const other = majority !== undefined && m.clusterId !== undefined && m.clusterId !== majority;
        if (other) {
            say(`it belongs to another cluster: its cluster ID is ${m.clusterId}, the other members' is ${majority}; its data volume holds another cluster's data`,
                "delete its container and data volume and deploy again: it then joins this cluster as a new member");
            continue;
        }
        const running = m.status === "running";
        // A running learner does not answer endpoint health; what learners.ts says of it (how far behind, what to do) is the cause.
        const learner = learners.find((l) => l.member === m.name);
        const paused = m.status === "paused";
        const unpause = `unpause it: docker -H ${m.host} unpause ${m.container}`;
        if (learner && (running || paused)) { entries.push(`- ${learner.text}${paused ? `\n    its container is paused: ${unpause}` : ""}`); continue; }
        // A learner whose container is down: first why it is down, then (below) what its being a learner means.
        if (learner) learnersDown.add(learner.member);
        if (running && m.healthy !== false) continue;
        // Exited with code 0 and not restarting: a clean stop (docker stop), which its log does not explain.
        const own = m.status === "exited" && m.exitCode === "0" && (m.restarts ?? 0) === 0 ? undefined : fromLog(m);
        const logged = own === undefined || own.rule.id === "tls-handshake" || own.rule.id === "peer-refused" ? fromPeers(m) ?? own : own;
        // The more specific of the two (the table is ordered so): a full member also logs the elections of its start.
        const answered = fromHealth(m);
        const found = answered !== undefined && (logged === undefined || rules.indexOf(answered.rule) < rules.indexOf(logged.rule)) ? answered : logged;
        const state = m.oom ? "the kernel killed it for lack of memory (OOMKilled)" :
            m.status === "restarting" || (m.restarts ?? 0) > 2 ? `it keeps restarting (${m.restarts} restarts, last exit code ${m.exitCode})` :
                paused ? "its container is paused" : !running ? `its container is ${m.status} (exit code ${m.exitCode})` : `it does not answer endpoint health (${quote(m.health ?? "")})`;
        if (m.oom) say(state, "raise resources.memoryMb, or remove the limit");
        else if (found) say(`${state}: ${found.rule.cause}`, found.rule.fix, found.line);
        else if (paused) say(state, unpause);
        else if (!running) say(state, `start it (docker -H ${m.host} start ${m.container}) and see its log (docker -H ${m.host} logs ${m.container})`);
        else say(`${state}; nothing known in its log`, `see its log: docker -H ${m.host} logs ${m.container}`);
    }
    for (const l of learners) if (learnersDown.has(l.member) || !members.some((m) => m.name === l.member)) entries.push(`- ${l.text}`);
    if (counts.size > 1 && majority === undefined) {
        entries.push(`- the members disagree on the cluster ID (${members.filter((m) => m.clusterId).map((m) => `${m.name}: ${m.clusterId}`).join(", ")}) ` +
            `and no majority says which is right.\n    fix: keep the members of the cluster that holds your data; delete the others' containers and volumes and deploy again.`);
    }
    return entries.length > 0 ? `Diagnosis:\n${entries.join("\n")}\n` :
        `Diagnosis: every member runs and answers endpoint health${majority ? `, all with cluster ID ${majority}` : ""}.\n`;
}

/** {@link diagnoseObservations} with the package's rules. */
export function diagnose(observations: string): string {
    return diagnoseObservations(observations, logRules);
}
