/** The etcd version, read from image references. */
import { imageTag, parseEtcdVersion, versionFromImage } from "../../../components/resolve/etcdVersion";

describe("etcd versions from image references", () => {
    it.each([
        ["gcr.io/etcd-development/etcd:v3.6.14", "v3.6.14", { major: 3, minor: 6, patch: 14 }],
        ["localhost:5000/etcd:3.5.16-debian-12-r0", "3.5.16-debian-12-r0", { major: 3, minor: 5, patch: 16 }],
        ["quay.io/coreos/etcd:v3.4.23@sha256:abc", "v3.4.23", { major: 3, minor: 4, patch: 23 }],
        ["localhost:5000/etcd", undefined, undefined],
        ["etcd:latest", "latest", undefined],
    ])("%s", (image, tag, version) => {
        expect(imageTag(image)).toBe(tag);
        expect(versionFromImage(image)).toEqual(version);
    });
    it("rejects non-versions", () => expect(parseEtcdVersion("3.5")).toBeUndefined());
});
