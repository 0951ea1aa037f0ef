/** Things that are allowed but probably not what the user wants, said once the arguments are valid. */
import { show } from "./argChecks";
import type { ResolvedHost, ResolvedMember } from "./model";

/** An even member count (no more fault tolerance than one member fewer) and hosts that run nothing. */
export function clusterWarnings(clusterName: string, members: ResolvedMember[], unusedHosts: ResolvedHost[]): string[] {
    const warnings: string[] = [];
    const n = members.length;
    if (n % 2 === 0) {
        const fewer = n - 1 === 1 ? "1 member does" : `${n - 1} members do`;
        warnings.push(`EtcdCluster ${show(clusterName)} has ${n} members: an even count tolerates no more failures than ` +
            `${fewer} (quorum is ${n / 2 + 1}); use ${n - 1} or ${n + 1}.`);
    }
    for (const h of unusedHosts) {
        warnings.push(`EtcdCluster ${show(clusterName)}: host ${show(h.name)} (${h.url}) runs no member, so nothing is created on it; remove it or give it a member.`);
    }
    return warnings;
}
