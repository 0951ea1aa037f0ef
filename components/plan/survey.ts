/**
 * What the cluster looks like right now, as the survey script (scripts/survey.ts) saw it: the component's
 * containers on each host, the bootstrap variables they were started with, and etcd's own member list and
 * endpoint status. The script prints one fact a line (`<tag> <fields…>`); this file parses them. Pure.
 */
import { parseEtcdVersion, type EtcdVersion } from "../resolve/etcdVersion";

/** The line tags the survey script prints. */
export const surveyTags = {
    /** `host <index> ok|unreachable`: whether that host's Docker engine answered. */
    host: "host",
    /** `ct <hostIndex> <member> <container> <state>`: a container of this cluster (`docker ps -a`). */
    container: "ct",
    /** `env <hostIndex> <container> <KEY=value>`: a bootstrap variable a container was started with (`docker inspect`). */
    env: "env",
    /** `asked <member>`: the member whose etcdctl answered the questions below. */
    asked: "asked",
    /** `ml <line>`: `etcdctl member list`, one member a line. */
    memberList: "ml",
    /** `es <line>`: `etcdctl endpoint status --cluster`, one member a line. */
    endpointStatus: "es",
    /** `vol <hostIndex> <volume> <cluster label>`: a desired member's data volume that already exists. */
    volume: "vol",
} as const;

/** The bootstrap variables the survey reads from a container (and a join command keeps). */
export const bootstrapKeys = [
    "ETCD_INITIAL_CLUSTER", "ETCD_INITIAL_CLUSTER_STATE", "ETCD_DISCOVERY_SRV", "ETCD_DISCOVERY_SRV_NAME",
    "ETCD_DISCOVERY", "ETCD_DISCOVERY_TOKEN", "ETCD_DISCOVERY_ENDPOINTS",
];

export interface SurveyContainer {
    hostIndex: number;
    member: string;
    container: string;
    /** Docker's state: running, exited, created, restarting … */
    state: string;
    /** Its bootstrap variables, `KEY → value`. */
    env: Record<string, string>;
}

/** One line of `etcdctl member list`. */
export interface LiveMember {
    /** Hex member ID. */
    id: string;
    started: boolean;
    /** Empty until the member has started. */
    name: string;
    peerUrls: string[];
    clientUrls: string[];
    isLearner: boolean;
}

/** One line of `etcdctl endpoint status`. */
export interface LiveStatus {
    endpoint: string;
    id: string;
    version?: EtcdVersion;
    isLeader: boolean;
    isLearner: boolean;
    raftTerm: number;
    raftAppliedIndex: number;
}

/** A data volume that exists, and the cluster its label names (undefined: no such label). */
export interface SurveyVolume {
    hostIndex: number;
    name: string;
    cluster?: string;
}

export interface Survey {
    unreachableHosts: number[];
    volumes: SurveyVolume[];
    containers: SurveyContainer[];
    /** The member that answered; undefined when none did (then `members` and `statuses` are empty). */
    askedMember?: string;
    members: LiveMember[];
    statuses: LiveStatus[];
}

const splitList = (s: string | undefined) => (s ?? "").split(",").map((x) => x.trim()).filter((x) => x !== "");

/** `8e9e05c52164694d, started, infra1, http://a:2380, http://a:2379, false` (URL lists are joined by a bare comma). */
export function parseMemberLine(line: string): LiveMember | undefined {
    const f = line.split(", ");
    if (f.length < 5 || !/^[0-9a-f]+$/.test(f[0])) return undefined;
    return {
        id: f[0],
        started: f[1] === "started",
        name: f[2] ?? "",
        peerUrls: splitList(f[3]),
        clientUrls: splitList(f[4]),
        isLearner: f[5] === "true",
    };
}

/**
 * `http://127.0.0.1:2379, 8e9e05c52164694d, 3.5.16, 20 kB, true, false, 2, 8, 8, ` (3.4 and 3.5: 10 columns), or
 * 3.6's 16 (STORAGE VERSION, DB SIZE IN USE, quota and downgrade columns added: etcd etcdctl/ctlv3/command/printer.go).
 */
export function parseStatusLine(line: string): LiveStatus | undefined {
    const f = line.split(", ");
    if (f.length < 9 || !/^[0-9a-f]+$/.test(f[1])) return undefined;
    const at = f.length >= 16 ? { leader: 8, learner: 9, term: 10, applied: 12 } : { leader: 4, learner: 5, term: 6, applied: 8 };
    return {
        endpoint: f[0],
        id: f[1],
        version: parseEtcdVersion(f[2]),
        isLeader: f[at.leader] === "true",
        isLearner: f[at.learner] === "true",
        raftTerm: Number(f[at.term]),
        raftAppliedIndex: Number(f[at.applied]),
    };
}

/** Parses the survey script's output; lines it does not know are ignored (warnings of the client library). */
export function parseSurvey(output: string): Survey {
    const survey: Survey = { unreachableHosts: [], volumes: [], containers: [], members: [], statuses: [] };
    const byContainer = new Map<string, SurveyContainer>();
    for (const raw of output.split("\n")) {
        const space = raw.indexOf(" ");
        if (space < 0) continue;
        const tag = raw.slice(0, space);
        const rest = raw.slice(space + 1);
        const f = rest.split(" ");
        switch (tag) {
            case surveyTags.host:
                if (f[1] !== "ok") survey.unreachableHosts.push(Number(f[0]));
                break;
            case surveyTags.container: {
                if (f.length < 4 || f[1] === "") break;
                const c = { hostIndex: Number(f[0]), member: f[1], container: f[2], state: f[3], env: {} };
                survey.containers.push(c);
                byContainer.set(`${c.hostIndex} ${c.container}`, c);
                break;
            }
            case surveyTags.env: {
                const c = byContainer.get(`${f[0]} ${f[1]}`);
                const kv = f.slice(2).join(" ");
                const eq = kv.indexOf("=");
                if (c && eq > 0) c.env[kv.slice(0, eq)] = kv.slice(eq + 1);
                break;
            }
            case surveyTags.volume:
                if (f.length >= 2 && f[1] !== "") survey.volumes.push({ hostIndex: Number(f[0]), name: f[1], cluster: f[2] && f[2] !== "<no" ? f[2] : undefined });
                break;
            case surveyTags.asked:
                survey.askedMember = rest;
                break;
            case surveyTags.memberList: {
                const m = parseMemberLine(rest);
                if (m) survey.members.push(m);
                break;
            }
            case surveyTags.endpointStatus: {
                const st = parseStatusLine(rest);
                if (st) survey.statuses.push(st);
                break;
            }
        }
    }
    return survey;
}
