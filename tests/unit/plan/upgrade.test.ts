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
            [/skips a minor version: the members run etcd 3\.4\.23.*Upgrade to etcd 3\.5\.x first, then to 3\.6/]],
        ["3.5 → 3.4 is a downgrade", "3.4.23", ["3.5.16"], false,
            [/would downgrade members that run etcd 3\.5\.16.*\/downgrades\/.*Keep an image of etcd 3\.5\.x or later/]],
        ["a mixed 3.4/3.5 cluster back to 3.4 is a downgrade", "3.4.23", ["3.4.23", "3.5.16"], false,
            [/would downgrade members that run etcd 3\.4\.23, 3\.5\.16/]],
        ["3.4 → 3.5.2 (data inconsistency, etcd-io/etcd#13908)", "3.5.2", ["3.4.23"], false,
            [/upgrading 3\.4 members to etcd 3\.5\.2 risks data inconsistency \(etcd-io\/etcd#13908\); use etcd 3\.5\.3 or later/]],
        ["3.4 → 3.5 with authentication", "3.5.16", ["3.4.23"], true,
            [/not supported with authentication enabled .*etcd-io\/etcd#11943.*auth\.enabled: false, then etcdctl auth disable.*snapshot/]],
        ["3.5.16 → 3.6 (every member must run 3.5.32 or later first)", "3.6.14", ["3.5.33", "3.5.16"], false,
            [/every member must run etcd 3\.5\.32 or later before the upgrade to 3\.6.*some run 3\.5\.16\. Roll out 3\.5\.32 or later first/]],
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
});
