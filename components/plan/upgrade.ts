/**
 * Which etcd version changes a rolling replacement may make, checked against the versions the members run now
 * (from `etcdctl endpoint status`). etcd upgrades one minor version at a time, member by member, and only moves
 * the cluster version when every member runs the new one; downgrades need etcd's own downgrade procedure.
 * - https://etcd.io/docs/v3.6/upgrades/upgrading-etcd/ (one minor version at a time)
 * - https://etcd.io/docs/v3.5/upgrades/upgrade_3_5/ (3.4 → 3.5; "not supported with auth enabled",
 *   etcd-io/etcd#11943; use ≥ 3.5.3, etcd-io/etcd#13908)
 * - https://etcd.io/docs/v3.6/upgrades/upgrade_3_6/ (3.5 → 3.6 needs every member on ≥ 3.5.32 first: 3.5.24–3.5.32
 *   fix upgrade blockers: https://etcd.io/blog/2026/july-patch-release/)
 * - https://etcd.io/docs/v3.7/upgrades/upgrade_3_7/ (3.6 → 3.7 needs every member on ≥ 3.6.11 first)
 * - https://etcd.io/docs/v3.6/downgrades/downgrading-etcd/ (downgrades are a separate, explicit procedure; from 3.6
 *   on it starts with `etcdctl downgrade validate/enable`, which this component does not run)
 * Pure.
 */
import type { EtcdVersion } from "../resolve/etcdVersion";
import { formatEtcdVersion } from "../resolve/etcdVersion";

const minorOf = (v: EtcdVersion) => `${v.major}.${v.minor}`;

/** The upgrade guide into minor version `3.<minor>`. */
export const upgradeGuide = (minor: number) => `https://etcd.io/docs/v3.${minor}/upgrades/upgrade_3_${minor}/`;
/** The downgrade guide out of minor version `3.<minor>` (to 3.<minor - 1>). */
export const downgradeGuide = (minor: number) => `https://etcd.io/docs/v3.${Math.max(minor, 5)}/downgrades/downgrade_3_${minor}/`;

/**
 * The oldest patch of the previous minor version etcd's guide accepts as the source of an upgrade into a minor
 * version (3.5.32 for 3.6, 3.6.11 for 3.7): older patches lack the fixes the new version relies on.
 */
export const upgradeFloor: Record<string, EtcdVersion> = {
    "3.6": { major: 3, minor: 5, patch: 32 },
    "3.7": { major: 3, minor: 6, patch: 11 },
};

/** How to go back, one minor version at a time as etcd's guides do: by hand, since a rollout of an older image is refused. */
function downgradeHowTo(from: EtcdVersion, to: EtcdVersion): string {
    const step = `${from.major}.${from.minor - 1}`;
    const then = to.minor < from.minor - 1 ? `, and from there on to ${minorOf(to)} the same way` : "";
    if (from.minor >= 6) {
        return `To downgrade, do it by hand as etcd's guide says (${downgradeGuide(from.minor)}): take a snapshot, run ` +
            `etcdctl downgrade validate ${step} and etcdctl downgrade enable ${step}, wait until etcdctl endpoint status -w table ` +
            `shows storage version ${step}.0 on every member, then replace the members one at a time with etcd ${step}${then}; ` +
            `once every member runs the older version, deploy with its image.`;
    }
    return `etcd ${minorOf(from)} has no downgrade command: a rolling downgrade to ${step} replaces the members by hand, ` +
        `and not with authentication on (${downgradeGuide(from.minor)})${then}. Or restore a snapshot into a new ${minorOf(to)} cluster (restore.snapshot).`;
}

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
        problems.push(`${field} would downgrade members that run etcd ${now}: etcd does not start an older minor version on a data dir ` +
            `a newer one has written unless the cluster was downgraded first, and this component does not downgrade. ` +
            `Keep an image of etcd ${minorOf(highest)}.x or later. ${downgradeHowTo(highest, target)}`);
    }
    if (target.minor > lowest.minor + 1) {
        problems.push(`${field} skips a minor version: the members run etcd ${now}, and etcd upgrades one minor version at a time ` +
            `(https://etcd.io/docs/v3.6/upgrades/upgrading-etcd/). Upgrade to etcd ${lowest.major}.${lowest.minor + 1}.x first ` +
            `(${upgradeGuide(lowest.minor + 1)}), then to ${minorOf(target)}.`);
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
    const floor = upgradeFloor[minorOf(target)];
    const behind = floor === undefined ? [] : seen.filter((v) => minorOf(v) === minorOf(floor) && v.patch < floor.patch);
    if (upgrading && behind.length > 0) {
        const f = formatEtcdVersion(floor);
        problems.push(`${field}: every member must run etcd ${f} or later before the upgrade to ${minorOf(target)} ` +
            `(${upgradeGuide(target.minor)}); some run ${behind.map(formatEtcdVersion).join(", ")}. ` +
            `Roll out ${f} or later first (a patch upgrade within ${minorOf(floor)}), then ${minorOf(target)}.`);
    }
    return problems;
}
