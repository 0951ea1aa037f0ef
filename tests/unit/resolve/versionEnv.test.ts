/**
 * extraEnv settings the chosen etcd no longer has: etcd would ignore them (an unknown ETCD_* variable only logs a
 * warning), so they are refused before anything is created, with the setting to use instead; and the v2 discovery
 * refusal on 3.7 points at etcd's guide. Pure: through resolveClusterArgs.
 */
import { resolveClusterArgs } from "../../../components/resolve/cluster";
import { experimentalReplacement } from "../../../components/resolve/versionEnv";
import { problemsOf, threeNodeArgs as seed } from "../fixtures";

const on = (version: string, extraEnv: Record<string, string>) => seed({ image: `local/etcd:v${version}`, extraEnv });

describe("extraEnv against the etcd version", () => {
    it("ETCD_ENABLE_V2 on 3.6 and 3.7, word for word", () => {
        for (const v of ["3.6.17", "3.7.4"]) {
            expect(problemsOf(on(v, { ETCD_ENABLE_V2: "true" }))).toEqual([
                `extraEnv.ETCD_ENABLE_V2: "true" does nothing on etcd ${v}: etcd 3.6 removed the v2 API and --enable-v2 (etcd ignores a variable ` +
                "it does not know). Remove it; data kept in the v2 store must be migrated with etcd 3.5 first (https://etcd.io/docs/v3.6/upgrades/upgrade_3_6/#v2-store).",
            ]);
        }
    });

    it("ETCD_EXPERIMENTAL_ENABLE_V2V3 on 3.6 is refused as a v2 setting", () => {
        expect(problemsOf(on("3.6.17", { ETCD_EXPERIMENTAL_ENABLE_V2V3: "/v2" }))).toEqual([
            expect.stringMatching(/^extraEnv\.ETCD_EXPERIMENTAL_ENABLE_V2V3: "\/v2" does nothing on etcd 3\.6\.17: etcd 3\.6 removed the v2 API and --experimental-enable-v2v3/),
        ]);
    });

    it("v2 settings stay allowed where etcd has them (3.4, 3.5)", () => {
        expect(problemsOf(on("3.5.36", { ETCD_ENABLE_V2: "true" }))).toEqual([]);
        expect(problemsOf(on("3.4.23", { ETCD_ENABLE_V2: "true", ETCD_EXPERIMENTAL_ENABLE_V2V3: "/v2" }))).toEqual([]);
    });

    it("an --experimental-* setting on 3.7, word for word, with its 3.6 name", () => {
        expect(problemsOf(on("3.7.4", { ETCD_EXPERIMENTAL_COMPACTION_BATCH_LIMIT: "1000" }))).toEqual([
            'extraEnv.ETCD_EXPERIMENTAL_COMPACTION_BATCH_LIMIT: "1000" does nothing on etcd 3.7.4: etcd 3.7 removed the --experimental-* flags ' +
            "(etcd ignores a variable it does not know). Use ETCD_COMPACTION_BATCH_LIMIT=1000 instead (https://etcd.io/docs/v3.7/upgrades/upgrade_3_7/#flags-removed).",
        ]);
    });

    it("an --experimental-* flag that became a feature gate is named as one", () => {
        expect(problemsOf(on("3.7.4", { ETCD_EXPERIMENTAL_INITIAL_CORRUPT_CHECK: "true" }))).toEqual([
            expect.stringContaining("Use ETCD_FEATURE_GATES=InitialCorruptCheck=true instead"),
        ]);
        expect(experimentalReplacement("ETCD_EXPERIMENTAL_ENABLE_LEASE_CHECKPOINT", "true")).toBe("ETCD_FEATURE_GATES=LeaseCheckpoint=true");
        expect(experimentalReplacement("ETCD_EXPERIMENTAL_WATCH_PROGRESS_NOTIFY_INTERVAL", "5s")).toBe("ETCD_WATCH_PROGRESS_NOTIFY_INTERVAL=5s");
    });

    it("on 3.6 an --experimental-* setting still works: a warning with the name that 3.7 keeps", () => {
        const cluster = resolveClusterArgs("etcd", on("3.6.17", { ETCD_EXPERIMENTAL_COMPACT_HASH_CHECK_ENABLED: "true" }));
        expect(cluster.warnings).toContain('EtcdCluster "etcd": extraEnv.ETCD_EXPERIMENTAL_COMPACT_HASH_CHECK_ENABLED: "true" is deprecated in etcd 3.6.17 ' +
            "and removed in 3.7; use ETCD_FEATURE_GATES=CompactHashCheck=true, which etcd 3.6 already understands.");
    });

    it("--experimental-* settings on 3.5 are neither refused nor warned about", () => {
        const cluster = resolveClusterArgs("etcd", on("3.5.36", { ETCD_EXPERIMENTAL_INITIAL_CORRUPT_CHECK: "true" }));
        expect(cluster.warnings.filter((w) => w.includes("EXPERIMENTAL"))).toEqual([]);
    });

    it("every refusal of one deployment at once", () => {
        expect(problemsOf(on("3.7.4", { ETCD_ENABLE_V2: "true", ETCD_EXPERIMENTAL_MEMORY_MLOCK: "true" }))).toHaveLength(2);
    });
});

it("v2 discovery on 3.7 links etcd's 3.7 upgrade guide, where the v2 store's removal is described", () => {
    expect(problemsOf(seed({ image: "local/etcd:v3.7.4", bootstrap: { mode: "discovery", discovery: { protocol: "v2", endpoints: ["http://10.0.0.100:2379"] } } })))
        .toEqual([expect.stringContaining("etcd 3.7 removed v2 discovery (--discovery) with the v2 store (https://etcd.io/docs/v3.7/upgrades/upgrade_3_7/#v2-store)")]);
});
