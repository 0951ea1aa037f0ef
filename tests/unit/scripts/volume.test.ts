/** The data removal's delete and the retained-volumes notice, run for real under /bin/sh against a fake docker. */
import { spawnSync } from "child_process";
import { dropVolumeScript, retainedVolumesNotice } from "../../../components/scripts/volume";
import { FakeDocker, fakeHost } from "./fakeDocker";

const spec = { clusterName: "seed", member: "etcd-n2", volumeName: "etcd-n2-data", host: fakeHost("h1") };

describe("dropVolumeScript", () => {
    it("deletes the removed member's volume on its own host", () => {
        const r = new FakeDocker().answer("h1", "volume", { out: "etcd-n2-data\n" }).run(dropVolumeScript(spec));
        expect(r.code).toBe(0);
        expect(r.calls).toEqual(["h1 volume rm etcd-n2-data"]);
        expect(r.stdout).toBe("data volume etcd-n2-data of removed member etcd-n2 deleted\n");
    });

    it("succeeds when the volume is already gone (deleted by its own delete with onDestroy: delete)", () => {
        const r = new FakeDocker().answer("h1", "volume", { err: "Error response from daemon: get etcd-n2-data: no such volume\n", rc: 1 }).run(dropVolumeScript(spec));
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/was already gone/);
    });

    it("retries while Docker still sees the volume in use, then deletes it", () => {
        const inUse = { err: "Error response from daemon: remove etcd-n2-data: volume is in use - [3f2a]\n", rc: 1 };
        const r = new FakeDocker().answer("h1", "volume", inUse, { out: "etcd-n2-data\n" }).run(dropVolumeScript(spec));
        expect(r.code).toBe(0);
        expect(r.calls).toHaveLength(2);
    });

    it("never forces: a volume that stays in use fails the delete, saying where and why", () => {
        const inUse = { err: "Error response from daemon: remove etcd-n2-data: volume is in use - [3f2a]\n", rc: 1 };
        const r = new FakeDocker().answer("h1", "volume", inUse).run(dropVolumeScript(spec), {}, 60_000);
        expect(r.code).toBe(1);
        expect(r.calls.every((c) => c === "h1 volume rm etcd-n2-data")).toBe(true);
        expect(r.stderr).toBe("data volume etcd-n2-data of removed member etcd-n2 (cluster seed) could not be deleted on ssh://root@h1: Error response from daemon: remove etcd-n2-data: volume is in use - [3f2a]\n");
    });
});

describe("retainedVolumesNotice", () => {
    it("prints each kept volume with the command that deletes it", () => {
        const r = spawnSync("/bin/sh", ["-c", retainedVolumesNotice("seed", [{ volumeName: "a'b-data", hostUrl: "ssh://root@10.0.0.1" }])], { encoding: "utf8" });
        expect(r.stdout).toBe([
            'EtcdCluster seed: its data volumes are kept (dataVolumes.onDestroy: "retain"); a deployment with the same members starts on them again.',
            "To delete them:",
            "  docker -H ssh://root@10.0.0.1 volume rm a'b-data",
            "",
        ].join("\n"));
    });
});
