/**
 * `extraEnv` settings that the chosen etcd version no longer has. etcd ignores an `ETCD_*` variable it does not
 * know (pkg/flags verifyEnv logs "unrecognized environment variable" and starts anyway), so a removed setting
 * would silently do nothing; a flag of the same name would make etcd exit. Refused before anything is created.
 * - etcd 3.6 removed `--enable-v2` and `--experimental-enable-v2v3` (CHANGELOG-3.6, "Flags Removed";
 *   https://etcd.io/docs/v3.6/upgrades/upgrade_3_6/, "V2 Store").
 * - etcd 3.7 removed every deprecated `--experimental-*` flag (etcd-io/etcd#19959); 3.6 already has each one's
 *   replacement, a flag without the prefix or a `--feature-gates` entry (server/embed/config.go
 *   experimentalFlagMigrationMap, server/features/etcd_features.go ExperimentalFlagToFeatureMap, etcd v3.6).
 *   https://etcd.io/docs/v3.7/upgrades/upgrade_3_7/, "Flags removed".
 * Pure.
 */
import type { EtcdVersion } from "./etcdVersion";
import { atLeast, formatEtcdVersion } from "./etcdVersion";

/** 3.6's feature gates for the experimental boolean flags that became gates (ExperimentalFlagToFeatureMap). */
const experimentalToFeatureGate: Record<string, string> = {
    ETCD_EXPERIMENTAL_STOP_GRPC_SERVICE_ON_DEFRAG: "StopGRPCServiceOnDefrag",
    ETCD_EXPERIMENTAL_INITIAL_CORRUPT_CHECK: "InitialCorruptCheck",
    ETCD_EXPERIMENTAL_COMPACT_HASH_CHECK_ENABLED: "CompactHashCheck",
    ETCD_EXPERIMENTAL_TXN_MODE_WRITE_WITH_SHARED_BUFFER: "TxnModeWriteWithSharedBuffer",
    ETCD_EXPERIMENTAL_ENABLE_LEASE_CHECKPOINT: "LeaseCheckpoint",
    ETCD_EXPERIMENTAL_ENABLE_LEASE_CHECKPOINT_PERSIST: "LeaseCheckpointPersist",
};

/** What 3.6 and later call an `ETCD_EXPERIMENTAL_*` setting. */
export function experimentalReplacement(key: string, value: string): string {
    const gate = experimentalToFeatureGate[key];
    return gate !== undefined ? `ETCD_FEATURE_GATES=${gate}=${value}` : `${key.replace(/^ETCD_EXPERIMENTAL_/, "ETCD_")}=${value}`;
}

const v2Settings = ["ETCD_ENABLE_V2", "ETCD_EXPERIMENTAL_ENABLE_V2V3"];

/** Problems and warnings for `extraEnv` keys the etcd version does not have (or will not have in the next minor). */
export function versionEnvChecks(extraEnv: Record<string, string>, version: EtcdVersion | undefined, problems: string[], warnings: string[], clusterName: string): void {
    if (version === undefined) return;
    const v = formatEtcdVersion(version);
    for (const [key, value] of Object.entries(extraEnv)) {
        if (typeof value !== "string") continue;        // refused as such by the extraEnv check
        const field = `extraEnv.${key}: ${JSON.stringify(value)}`;
        if (v2Settings.includes(key) && atLeast(version, 3, 6)) {
            problems.push(`${field} does nothing on etcd ${v}: etcd 3.6 removed the v2 API and ${key === "ETCD_ENABLE_V2" ? "--enable-v2" : "--experimental-enable-v2v3"} ` +
                `(etcd ignores a variable it does not know). Remove it; data kept in the v2 store must be migrated with etcd 3.5 first ` +
                `(https://etcd.io/docs/v3.6/upgrades/upgrade_3_6/#v2-store).`);
        } else if (key.startsWith("ETCD_EXPERIMENTAL_") && !v2Settings.includes(key) && atLeast(version, 3, 7)) {
            problems.push(`${field} does nothing on etcd ${v}: etcd 3.7 removed the --experimental-* flags (etcd ignores a variable it does not know). ` +
                `Use ${experimentalReplacement(key, value)} instead (https://etcd.io/docs/v3.7/upgrades/upgrade_3_7/#flags-removed).`);
        } else if (key.startsWith("ETCD_EXPERIMENTAL_") && !v2Settings.includes(key) && atLeast(version, 3, 6)) {
            warnings.push(`EtcdCluster ${JSON.stringify(clusterName)}: ${field} is deprecated in etcd ${v} and removed in 3.7; ` +
                `use ${experimentalReplacement(key, value)}, which etcd 3.6 already understands.`);
        }
    }
}
