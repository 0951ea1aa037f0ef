/**
 * Which etcd version changes a rolling replacement may make, checked against the versions the members run now
 * (from `etcdctl endpoint status`). etcd upgrades one minor version at a time, member by member, and only moves
 * the cluster version when every member runs the new one; downgrades need etcd's own downgrade procedure.
 * - https://etcd.io/docs/v3.5/upgrades/upgrade_3_5/ (3.4 → 3.5; "not supported with auth enabled",
 *   etcd-io/etcd#11943; use ≥ 3.5.3, etcd-io/etcd#13908)
 * - https://etcd.io/docs/v3.6/upgrades/upgrade_3_6/ (3.5 → 3.6 needs every member on ≥ 3.5.32 first)
 * - https://etcd.io/docs/v3.6/downgrades/ (downgrades are a separate, explicit procedure)
 * Pure.
 */
import type { EtcdVersion } from "../resolve/etcdVersion";
import { formatEtcdVersion } from "../resolve/etcdVersion";

const minorOf = (v: EtcdVersion) => `${v.major}.${v.minor}`;

/** The problems (field, value, fix) of moving members that run `running` to `target`; `auth`: authentication is on. */
export function upgradeProblems(target: EtcdVersion | undefined, running: EtcdVersion[], auth: boolean, image: string): string[] {
    if (target === undefined || running.length === 0) return [];
    const field = `image: ${JSON.stringify(image)} (etcd ${formatEtcdVersion(target)})`;
    const problems: string[] = [];
    const seen = [...new Map(running.map((v) => [formatEtcdVersion(v), v])).values()];
    const now = seen.map(formatEtcdVersion).join(", ");
    const lowest = seen.reduce((a, b) => (a.major * 1000 + a.minor <= b.major * 1000 + b.minor ? a : b));
    const highest = seen.reduce((a, b) => (a.major * 1000 + a.minor >= b.major * 1000 + b.minor ? a : b));
    if (target.major !== lowest.major || target.major !== highest.major) {
        return [`${field}: the members run etcd ${now}; this component does not change the major version. Keep an image of etcd ${highest.major}.x.`];
    }
    if (target.minor < highest.minor) {
        problems.push(`${field} would downgrade members that run etcd ${now}: etcd does not accept an older minor version on a data dir ` +
            `a newer one has written; a downgrade is its own procedure (https://etcd.io/docs/v3.6/downgrades/). ` +
            `Keep an image of etcd ${minorOf(highest)}.x or later.`);
    }
    if (target.minor > lowest.minor + 1) {
        problems.push(`${field} skips a minor version: the members run etcd ${now}, and etcd upgrades one minor version at a time ` +
            `(https://etcd.io/docs/v3.6/upgrades/). Upgrade to etcd ${lowest.major}.${lowest.minor + 1}.x first, then to ${minorOf(target)}.`);
    }
    const upgrading = target.minor === lowest.minor + 1;
    if (upgrading && minorOf(target) === "3.5" && target.patch < 3) {
        problems.push(`${field}: upgrading 3.4 members to etcd ${formatEtcdVersion(target)} risks data inconsistency (etcd-io/etcd#13908); ` +
            `use etcd 3.5.3 or later, e.g. gcr.io/etcd-development/etcd:v3.5.16.`);
    }
    if (upgrading && minorOf(target) === "3.5" && auth) {
        problems.push(`${field}: a rolling upgrade from 3.4 to 3.5 is not supported with authentication enabled ` +
            `(https://etcd.io/docs/v3.5/upgrades/upgrade_3_5/, etcd-io/etcd#11943). Either disable auth for the upgrade ` +
            `(auth.enabled: false, then etcdctl auth disable), or take a snapshot and restore it into a new 3.5 cluster.`);
    }
    const behind = seen.filter((v) => minorOf(v) === "3.5" && v.patch < 32);
    if (upgrading && minorOf(target) === "3.6" && behind.length > 0) {
        problems.push(`${field}: every member must run etcd 3.5.32 or later before the upgrade to 3.6 ` +
            `(https://etcd.io/docs/v3.6/upgrades/upgrade_3_6/); some run ${behind.map(formatEtcdVersion).join(", ")}. Roll out 3.5.32 or later first.`);
    }
    return problems;
}
