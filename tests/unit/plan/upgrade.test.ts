/** Which etcd version changes a rolling replacement may make, from the versions the members run now. Pure. */
import { upgradeProblems } from "../../../components/plan/upgrade";
import { parseEtcdVersion } from "../../../components/resolve/etcdVersion";

const v = (s: string) => parseEtcdVersion(s)!;
const image = (target: string) => `gcr.io/etcd-development/etcd:v${target}`;

describe("upgradeProblems", () => {
    // target, running, auth, one pattern per problem expected (none when empty)
    it.each<[string, string | undefined, string[], boolean, RegExp[]]>([
        ["same version", "3.5.16", ["3.5.16", "3.5.16", "3.5.16"], false, []],
        ["a patch upgrade", "3.5.16", ["3.5.9"], true, []],
        ["a patch downgrade within the minor version", "3.5.9", ["3.5.16"], false, []],
        ["3.4 → 3.5, one minor version", "3.5.16", ["3.4.23", "3.4.23", "3.4.23"], false, []],
        ["an interrupted 3.4 → 3.5 rollout continues", "3.5.16", ["3.4.23", "3.5.16", "3.5.16"], false, []],
        ["3.5.33 → 3.6", "3.6.14", ["3.5.33", "3.5.32"], false, []],
        ["an unknown target version (nothing to check against)", undefined, ["3.4.23"], true, []],
        ["nothing running (a new cluster)", "3.6.14", [], false, []],
        ["3.4 → 3.6 skips a minor version", "3.6.14", ["3.4.23"], false,
            [/skips a minor version: the members run etcd 3\.4\.23.*Upgrade to etcd 3\.5\.x first \(https:\/\/etcd\.io\/docs\/v3\.5\/upgrades\/upgrade_3_5\/\), then to 3\.6/]],
        ["3.5 → 3.4 is a downgrade", "3.4.23", ["3.5.16"], false,
            [/would downgrade members that run etcd 3\.5\.16.*Keep an image of etcd 3\.5\.x or later\. etcd 3\.5 has no downgrade command.*https:\/\/etcd\.io\/docs\/v3\.5\/downgrades\/downgrade_3_5\//]],
        ["a mixed 3.4/3.5 cluster back to 3.4 is a downgrade", "3.4.23", ["3.4.23", "3.5.16"], false,
            [/would downgrade members that run etcd 3\.4\.23, 3\.5\.16/]],
        ["3.4 → 3.5.2 (data inconsistency, etcd-io/etcd#13908)", "3.5.2", ["3.4.23"], false,
            [/upgrading 3\.4 members to etcd 3\.5\.2 risks data inconsistency \(etcd-io\/etcd#13908\); use etcd 3\.5\.3 or later/]],
        ["3.4 → 3.5 with authentication", "3.5.16", ["3.4.23"], true,
            [/not supported with authentication enabled .*etcd-io\/etcd#11943.*auth\.enabled: false, then etcdctl auth disable.*snapshot/]],
        ["3.5.16 → 3.6 (every member must run 3.5.32 or later first)", "3.6.14", ["3.5.33", "3.5.16"], false,
            [/every member must run etcd 3\.5\.32 or later before the upgrade to 3\.6 \(https:\/\/etcd\.io\/docs\/v3\.6\/upgrades\/upgrade_3_6\/\); some run 3\.5\.16\. Roll out 3\.5\.32 or later first/]],
        ["3.5.32, the floor, → 3.6", "3.6.17", ["3.5.32"], false, []],
        ["3.5.36 (the lab's upgrade source) → 3.6.17", "3.6.17", ["3.5.36", "3.5.36", "3.5.36"], true, []],
        ["3.6.17 → 3.7.4", "3.7.4", ["3.6.17", "3.6.17", "3.6.17"], true, []],
        ["3.6.11, the floor, → 3.7", "3.7.0", ["3.6.11"], false, []],
        ["an interrupted 3.6 → 3.7 rollout continues", "3.7.4", ["3.6.17", "3.7.4"], false, []],
        ["3.6.10 → 3.7 (every member must run 3.6.11 or later first)", "3.7.4", ["3.6.17", "3.6.10"], false,
            [/every member must run etcd 3\.6\.11 or later before the upgrade to 3\.7 \(https:\/\/etcd\.io\/docs\/v3\.7\/upgrades\/upgrade_3_7\/\); some run 3\.6\.10/]],
        ["3.5 → 3.7 skips a minor version (no floor check: 3.6 comes first)", "3.7.4", ["3.5.36"], false,
            [/skips a minor version.*Upgrade to etcd 3\.6\.x first \(https:\/\/etcd\.io\/docs\/v3\.6\/upgrades\/upgrade_3_6\/\), then to 3\.7\./]],
        ["3.7 → 3.6 is a downgrade, done by hand with etcdctl downgrade", "3.6.17", ["3.7.4"], false,
            [/would downgrade.*https:\/\/etcd\.io\/docs\/v3\.7\/downgrades\/downgrade_3_7\/.*etcdctl downgrade validate 3\.6 and etcdctl downgrade enable 3\.6/]],
        ["3.6 → 3.5 is a downgrade, done by hand with etcdctl downgrade", "3.5.36", ["3.6.17", "3.6.17"], false,
            [/https:\/\/etcd\.io\/docs\/v3\.6\/downgrades\/downgrade_3_6\/.*etcdctl downgrade validate 3\.5 and etcdctl downgrade enable 3\.5, wait until .* storage version 3\.5\.0 on every member/]],
        ["a change of major version", "4.0.0", ["3.5.16"], false,
            [/the members run etcd 3\.5\.16; this component does not change the major version\. Keep an image of etcd 3\.x/]],
    ])("%s", (_case, target, running, auth, expected) => {
        const img = image(target ?? "latest");
        const problems = upgradeProblems(target === undefined ? undefined : v(target), running.map(v), auth, img);
        expect(problems).toHaveLength(expected.length);
        expected.forEach((pattern, i) => {
            // Each problem names the field and the image it is about, then says what is wrong and what to do.
            expect(problems[i]).toContain(`image: ${JSON.stringify(img)} (etcd ${target})`);
            expect(problems[i]).toMatch(pattern);
        });
    });

    it("reports every problem of one change at once: a 3.4.23 → 3.5.2 upgrade with auth on", () => {
        expect(upgradeProblems(v("3.5.2"), [v("3.4.23")], true, image("3.5.2"))).toEqual([
            expect.stringContaining("etcd-io/etcd#13908"),
            expect.stringContaining("etcd-io/etcd#11943"),
        ]);
    });

    it("names each running version once", () => {
        const [problem] = upgradeProblems(v("3.6.14"), [v("3.4.23"), v("3.4.23"), v("3.4.23")], false, image("3.6.14"));
        expect(problem).toMatch(/the members run etcd 3\.4\.23, and/);
    });

    // The whole text of the refusals users meet most: field and value, what etcd says, the fix, the guide.
    it("3.4 → 3.6, word for word", () => {
        expect(upgradeProblems(v("3.6.17"), [v("3.4.23")], false, "local/etcd:v3.6.17")).toEqual([
            'image: "local/etcd:v3.6.17" (etcd 3.6.17) skips a minor version: the members run etcd 3.4.23, and etcd upgrades one minor ' +
            "version at a time (https://etcd.io/docs/v3.6/upgrades/upgrading-etcd/). Upgrade to etcd 3.5.x first " +
            "(https://etcd.io/docs/v3.5/upgrades/upgrade_3_5/), then to 3.6.",
        ]);
    });

    it("3.5.16 → 3.6, word for word", () => {
        expect(upgradeProblems(v("3.6.17"), [v("3.5.16")], false, "local/etcd:v3.6.17")).toEqual([
            'image: "local/etcd:v3.6.17" (etcd 3.6.17): every member must run etcd 3.5.32 or later before the upgrade to 3.6 ' +
            "(https://etcd.io/docs/v3.6/upgrades/upgrade_3_6/); some run 3.5.16. Roll out 3.5.32 or later first (a patch upgrade within 3.5), then 3.6.",
        ]);
    });

    it("3.7 → 3.5, word for word: one minor version at a time, by hand", () => {
        expect(upgradeProblems(v("3.5.36"), [v("3.7.4")], false, "local/etcd:v3.5.36")).toEqual([
            'image: "local/etcd:v3.5.36" (etcd 3.5.36) would downgrade members that run etcd 3.7.4: etcd does not start an older minor version ' +
            "on a data dir a newer one has written unless the cluster was downgraded first, and this component does not downgrade. " +
            "Keep an image of etcd 3.7.x or later. To downgrade, do it by hand as etcd's guide says (https://etcd.io/docs/v3.7/downgrades/downgrade_3_7/): " +
            "take a snapshot, run etcdctl downgrade validate 3.6 and etcdctl downgrade enable 3.6, wait until etcdctl endpoint status -w table " +
            "shows storage version 3.6.0 on every member, then replace the members one at a time with etcd 3.6, and from there on to 3.5 the same way; " +
            "once every member runs the older version, deploy with its image.",
        ]);
    });
});
