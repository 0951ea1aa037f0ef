/**
 * From the arguments to the resolved model, in the order the checks depend on each other: settings, hosts,
 * members, their clashes, security, bootstrap. Every problem of every step is collected and thrown at once.
 */
import type { EtcdClusterArgs } from "../args";
import { EtcdClusterArgsError, show } from "./argChecks";
import { resolveBootstrap } from "./bootstrap";
import { hostsInUse, resolveHosts } from "./hosts";
import { memberCollisions, resolveMembers } from "./members";
import type { ResolvedCluster, UrlScheme } from "./model";
import { resolveOperations } from "./operations";
import { resolveAuth, resolveTls } from "./security";
import { resolveDockerSettings, resolveEtcdSettings, resolveImage, resolveRollout } from "./settings";
import { versionEnvChecks } from "./versionEnv";
import { clusterWarnings } from "./warnings";

/** The member names as given, for checks keyed by member name (`tls.provided.members`). */
function givenMemberNames(args: EtcdClusterArgs): string[] {
    return (Array.isArray(args.members) ? args.members : []).map((m) => m?.name).filter((n): n is string => typeof n === "string");
}

/**
 * Checks every rule and applies every default, without creating anything. Throws
 * {@link EtcdClusterArgsError} listing all problems at once, so one run shows everything to fix.
 */
export function resolveClusterArgs(clusterName: string, args: EtcdClusterArgs): ResolvedCluster {
    const problems: string[] = [];
    const warnings: string[] = [];
    const docker = resolveDockerSettings(args, problems);
    const { image, version } = resolveImage(args, problems);
    const hosts = resolveHosts(args.hosts, problems);
    const given = resolveMembers(args.members, hosts, args.hosts, docker.networkMode, problems);
    problems.push(...memberCollisions(given));
    const tls = resolveTls(args.tls, givenMemberNames(args), problems);
    const auth = resolveAuth(args.auth, problems);
    const scheme: UrlScheme = tls.mode === "off" ? "http" : "https";
    const { bootstrap, members } = resolveBootstrap(args.bootstrap, { clusterName, version, members: given, hosts, scheme }, problems, warnings);
    const settings = resolveEtcdSettings(args, problems);
    versionEnvChecks(settings.extraEnv, version, problems, warnings, clusterName);
    const rollout = resolveRollout(args, problems);
    const operations = resolveOperations(clusterName, args, members, problems, warnings);
    if (problems.length > 0) {
        throw new EtcdClusterArgsError(problems, `arguments of EtcdCluster ${show(clusterName)}`);
    }
    const { used, unused } = hostsInUse(hosts, members, bootstrap);
    warnings.push(...clusterWarnings(clusterName, members, unused));
    return { clusterName, image, version, hosts: used, members, ...docker, ...settings, bootstrap, scheme, tls, auth, rollout, operations, warnings };
}
