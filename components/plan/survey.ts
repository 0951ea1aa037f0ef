/**
 * What the cluster looks like right now, as the survey script (scripts/survey.ts) saw it: the component's
 * containers on each host, the bootstrap variables they were started with, and etcd's own member list and
 * endpoint status. The script prints one fact a line (`<tag> <fields…>`); this file parses them, etcdctl's JSON with
 * the functions the scripts decide with (decide.js). Pure.
 */
import { parseEtcdVersion, type EtcdVersion } from "../resolve/etcdVersion";
import { members, statuses } from "./decide";

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
    /** `ml <JSON>`: `etcdctl member list -w json`, on one line. */
    memberList: "ml",
    /** `es <JSON>`: `etcdctl endpoint status --cluster -w json`, on one line. */
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

/** One member of `etcdctl member list`. */
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

/** One member's `etcdctl endpoint status`. */
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

/** The members of `etcdctl member list -w json` (an unstarted member has no name yet). */
export function parseMemberList(json: string): LiveMember[] {
    return members(json).map((m) => ({ id: m.id, started: m.name !== "", name: m.name, peerUrls: m.peerURLs, clientUrls: m.clientURLs, isLearner: m.isLearner }));
}

/** The members' statuses of `etcdctl endpoint status -w json`. */
export function parseStatuses(json: string): LiveStatus[] {
    return statuses(json).map((st) => ({
        endpoint: st.endpoint, id: st.id, version: parseEtcdVersion(st.version), isLeader: st.id !== "" && st.id === st.leader,
        isLearner: st.isLearner, raftTerm: st.raftTerm, raftAppliedIndex: st.appliedIndex,
    }));
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
            case surveyTags.memberList:
                survey.members.push(...parseMemberList(rest));
                break;
            case surveyTags.endpointStatus:
                survey.statuses.push(...parseStatuses(rest));
                break;
        }
    }
    return survey;
}
