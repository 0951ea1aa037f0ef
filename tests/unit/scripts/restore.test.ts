/** The restore's scripts, run for real under /bin/sh against a fake docker (its `cp` answers by source: a container, or the local file). */
import * as fs from "fs";
import * as path from "path";
import { restoreCheckScript, restoreScript } from "../../../components/scripts/restore";
import { FakeDocker, fakeHost } from "./fakeDocker";

function withSnapshot(docker: FakeDocker): string {
    const file = path.join(docker.dir, "snap.db");
    fs.writeFileSync(file, "BOLT");
    return file;
}
const common = (snapshot: string, hasEtcdutl = true) => ({ clusterName: "seed", host: fakeHost("h0"), image: "sha256:abc", snapshot, hasEtcdutl });
const member = (snapshot: string, hasEtcdutl = true) => ({
    ...common(snapshot, hasEtcdutl), member: "etcd-n1", peerUrl: "http://10.0.0.1:2380", volumeName: "etcd-n1-data",
    initialCluster: "etcd-n1=http://10.0.0.1:2380,etcd-n2=http://10.0.0.2:2380",
});

it("checks the snapshot with snapshot status in a one-shot container of the image, and fails before any member when it is not one", () => {
    const docker = new FakeDocker().answer("h0", "create", { out: "id\n" }).answer("h0", "rm", {})
        .answer("h0", "start", { rc: 1, out: "Error: invalid database\n" });
    const snap = withSnapshot(docker);
    docker.answer(snap, "cp", {});
    const r = docker.run(restoreCheckScript(common(snap)));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`etcd cluster seed: the snapshot ${snap} cannot be restored, it is not a valid etcd snapshot (truncated or corrupt?): Error: invalid database\nNo member was created. Give restore.snapshot a good file.\n`);
    expect(r.calls).toContain("h0 create --name seed-restore-check --entrypoint /usr/local/bin/etcdutl sha256:abc snapshot status /tmp/restore.db -w table");
    expect(r.calls).toContain(`h0 cp ${snap} seed-restore-check:/tmp/restore.db`);
});

it("restores a member's volume under its own name, peer URL, the initial cluster and the token (etcdctl with the v3 API on 3.4)", () => {
    const docker = new FakeDocker().answer("h0", "create", { out: "id\n" }).answer("h0", "rm", {}).answer("h0", "start", { out: "restored\n" })
        .answer("etcd-n1-restore", "cp", { rc: 1, err: "Error: Could not find the file /var/lib/etcd/data/member\n" });
    const snap = withSnapshot(docker);
    docker.answer(snap, "cp", {});
    const r = docker.run(restoreScript(member(snap, false)), { ETCD_RESTORE_TOKEN: "tok-1" });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`etcd member etcd-n1: data volume etcd-n1-data restored from ${snap}\n`);
    expect(r.calls).toContain("h0 create --name etcd-n1-restore -v etcd-n1-data:/var/lib/etcd -e ETCDCTL_API=3 --entrypoint /usr/local/bin/etcdctl sha256:abc " +
        "snapshot restore /tmp/restore.db --name etcd-n1 --data-dir /var/lib/etcd/data --initial-cluster etcd-n1=http://10.0.0.1:2380,etcd-n2=http://10.0.0.2:2380 " +
        "--initial-advertise-peer-urls http://10.0.0.1:2380 --initial-cluster-token tok-1");
});

it("refuses a volume that already holds etcd data, naming it and the way on, and restores nothing", () => {
    const docker = new FakeDocker().answer("h0", "create", { out: "id\n" }).answer("h0", "rm", {}).answer("etcd-n1-restore", "cp", { out: "TAR" });
    const r = docker.run(restoreScript(member(withSnapshot(docker))), { ETCD_RESTORE_TOKEN: "t" });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("restore: the data volume etcd-n1-data of member etcd-n1 on ssh://root@h0 already holds etcd data; a restore never overwrites it. " +
        "Delete the volume (docker volume rm etcd-n1-data) if that data is not needed, or remove restore from the arguments to start on it.\n");
    expect(r.calls.filter((c) => c.includes("snapshot restore"))).toEqual([]);
});
