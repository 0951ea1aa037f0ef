/** The snapshot before a rollout, run for real under /bin/sh against a fake docker. */
import * as fs from "fs";
import * as path from "path";
import { parseSnapshotReport, snapshotScript, SnapshotSpec } from "../../../components/scripts/snapshot";
import { statusEntry, statusJson } from "../etcdctlJson";
import { FakeDocker, fakeHost } from "./fakeDocker";

const names = ["etcd-n1", "etcd-n2", "etcd-n3"];
const spec = (directory: string): SnapshotSpec => ({
    clusterName: "seed",
    hosts: ["h0", "h1", "h2"].map(fakeHost),
    probes: names.map((n, i) => ({ member: n, hostIndex: i, containerName: n, localClientUrl: "http://127.0.0.1:2379" })),
    etcdctlFlags: [],
    auth: false,
    directory,
});
const up = (docker: FakeDocker, ...members: string[]) =>
    members.reduce((d, m) => d.answer(m, "status", { out: statusJson(statusEntry("http://127.0.0.1:2379", `a${names.indexOf(m) + 1}`)) }), docker);
const saved = { out: "Snapshot saved at /var/lib/etcd/pre-rollout.db\n" };
const status = { out: '{"hash":3021736466,"revision":1042,"totalKey":1007,"totalSize":274432}\n' };

function run(docker: FakeDocker) {
    const dir = path.join(docker.dir, "snapshots", "of seed");
    const r = docker.run(snapshotScript(spec(dir)));
    return { ...r, dir, files: fs.existsSync(dir) ? fs.readdirSync(dir) : [] };
}

it("saves the snapshot through the first member that answers and copies it out beside Pulumi", () => {
    const docker = up(new FakeDocker(), "etcd-n2", "etcd-n3")
        .answer("etcd-n1", "status", { rc: 1, err: "Error response from daemon: container etcd-n1 is not running\n" })
        .answer("etcd-n2", "snapshot", saved)
        .answer("etcd-n2", "snapshot-status", status)
        .answer("etcd-n2", "cp", { out: "BOLTDB-CONTENT" });
    const r = run(docker);
    expect(r.code).toBe(0);
    expect(r.files).toEqual([expect.stringMatching(/^seed-\d{8}T\d{6}Z-etcd-n2\.db$/)]);
    const file = path.join(r.dir, r.files[0]);
    expect(fs.readFileSync(file, "utf8")).toBe("BOLTDB-CONTENT");
    // Every key is in it: readable by its owner only.
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const [said, report] = r.stdout.trimEnd().split("\n");
    expect(said).toBe(`etcd cluster seed: snapshot saved to ${file} (14 bytes, from etcd-n2) before changing its members`);
    expect(parseSnapshotReport(report)).toEqual({ path: file, revision: 1042, hash: 3021736466, totalKeys: 1007, size: 14, time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/), member: "etcd-n2" });
    expect(r.calls).toContain("h1 exec etcd-n2 /usr/local/bin/etcdutl snapshot status /var/lib/etcd/pre-rollout.db -w json");
    expect(r.calls).toContain("h1 exec etcd-n2 /usr/local/bin/etcdctl --endpoints=http://127.0.0.1:2379 --command-timeout=300s snapshot save /var/lib/etcd/pre-rollout.db");
    expect(r.calls).toContain(`h1 cp etcd-n2:/var/lib/etcd/pre-rollout.db ${file}`);
    expect(r.calls.filter((c) => c.includes("etcd-n3"))).toEqual([]);
});

it("tries the next member when a save fails", () => {
    const docker = up(new FakeDocker(), "etcd-n1", "etcd-n2")
        .answer("etcd-n1", "snapshot", { rc: 1, err: "Error: rpc error: code = Unavailable\n" })
        .answer("etcd-n2", "snapshot", saved)
        .answer("etcd-n2", "snapshot-status", status)
        .answer("etcd-n2", "cp", { out: "x" });
    const r = run(docker);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("etcd cluster seed: snapshot save through etcd-n1 failed: Error: rpc error: code = Unavailable");
    expect(r.files).toEqual([expect.stringMatching(/-etcd-n2\.db$/)]);
});

it("succeeds without a snapshot when no member answers (a cluster being created, or one down the rollout is meant to repair)", () => {
    const r = run(new FakeDocker().down("h0").down("h1").down("h2"));
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("etcd cluster seed: no member answers, so there is nothing to save before the rollout\n");
    expect(r.files).toEqual([]);
});

it("fails before any member is touched when members answer but none can save", () => {
    const docker = up(new FakeDocker(), "etcd-n1", "etcd-n2", "etcd-n3");
    names.forEach((n) => docker.answer(n, "snapshot", { rc: 1, err: "Error: etcdserver: no space\n" }));
    const r = run(docker);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no snapshot could be saved before the rollout; nothing was changed\.\n$/);
});

it("fails when the saved snapshot cannot be copied out", () => {
    const docker = up(new FakeDocker(), "etcd-n1")
        .answer("etcd-n1", "snapshot", saved)
        .answer("etcd-n1", "snapshot-status", status)
        .answer("etcd-n1", "cp", { rc: 1, err: "Error response from daemon: Could not find the file\n" });
    const r = run(docker);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("etcd cluster seed: snapshot saved in etcd-n1 but not copied out: Error response from daemon: Could not find the file\n");
});

it("fails before any member is touched when the saved snapshot does not read back", () => {
    const docker = up(new FakeDocker(), "etcd-n1")
        .answer("etcd-n1", "snapshot", saved)
        .answer("etcd-n1", "snapshot-status", { rc: 1, err: "Error: snapshot file integrity check failed\n" });
    const r = run(docker);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("etcd cluster seed: the snapshot saved through etcd-n1 does not read back (snapshot status: Error: snapshot file integrity check failed); nothing was changed.\n");
    expect(r.files).toEqual([]);
});

it("checks it with etcdctl where the member has no etcdutl (3.4, e.g. the members of a 3.4 → 3.5 upgrade)", () => {
    const noEtcdutl = { rc: 126, err: 'OCI runtime exec failed: exec failed: unable to start container process: exec: "/usr/local/bin/etcdutl": stat /usr/local/bin/etcdutl: no such file or directory\n' };
    const docker = up(new FakeDocker(), "etcd-n1").answer("etcd-n1", "snapshot", saved).answer("etcd-n1", "snapshot-status", noEtcdutl, status).answer("etcd-n1", "cp", { out: "x" });
    const r = docker.run(snapshotScript(spec(path.join(docker.dir, "s"))));
    expect(r.code).toBe(0);
    expect(r.calls.filter((c) => c.includes("snapshot status"))).toEqual([
        "h0 exec etcd-n1 /usr/local/bin/etcdutl snapshot status /var/lib/etcd/pre-rollout.db -w json",
        "h0 exec etcd-n1 /usr/local/bin/etcdctl snapshot status /var/lib/etcd/pre-rollout.db -w json",
    ]);
});

it("reads no report from an output without one", () => {
    expect(parseSnapshotReport("etcd cluster seed: no member answers, so there is nothing to save before the rollout\n")).toBeUndefined();
});
