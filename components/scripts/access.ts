/**
 * How every script reaches the cluster, made once per deployment from the plan (in EtcdCluster) and taken by every
 * script spec: the Docker hosts by index, the members to ask in turn (each through its own host), etcdctl's TLS
 * flags and whether to log in as root. A member's own scripts take it narrowed to that member ({@link ownAccess}).
 */
import type { ClusterPlan, HostPlan } from "../plan/cluster";
import type { ScriptHost, ScriptProbe } from "./shell";

export interface ClusterAccess {
    clusterName: string;
    hosts: ScriptHost[];
    /** The members to ask, in the plan's order. */
    probes: ScriptProbe[];
    /** Flags of every etcdctl call (TLS: `--cacert=… --cert=… --key=…`, paths inside the member container). */
    etcdctlFlags: string[];
    /**
     * Authenticate as root: the script exports `ETCDCTL_USER=root:$ETCD_ROOT_PASSWORD` and runs
     * `docker exec -e ETCDCTL_USER …` (the name only; the docker CLI takes the value from its environment).
     */
    auth: boolean;
}

/** A planned host as the scripts reach it with the docker CLI. */
export function scriptHost(h: HostPlan): ScriptHost {
    return { url: h.host.url, sshOpts: h.host.sshOpts, tls: h.host.scheme === "tcp" };
}

/** Every host and every planned member, each member asked on its own host. */
export function clusterAccess(clusterName: string, plan: ClusterPlan): ClusterAccess {
    return {
        clusterName,
        hosts: plan.hosts.map(scriptHost),
        probes: plan.members.map((m) => ({
            member: m.name,
            hostIndex: plan.hosts.findIndex((h) => h.name === m.hostName),
            containerName: m.containerName,
            localClientUrl: m.localClientUrl,
        })),
        etcdctlFlags: plan.etcdctlFlags,
        auth: plan.auth,
    };
}

/**
 * One member's own host alone (index 0) and the member itself: what its gate, hand-over, leave and data removal
 * reach, so that their scripts never change when other members come or go.
 */
export function ownAccess(access: ClusterAccess, member: string): ClusterAccess {
    const own = access.probes.find((p) => p.member === member);
    if (!own) throw new Error(`ownAccess: ${member} is not a member of cluster ${access.clusterName}`);
    return { ...access, hosts: [access.hosts[own.hostIndex]], probes: [{ ...own, hostIndex: 0 }] };
}
