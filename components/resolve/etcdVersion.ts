/** An etcd release, as far as this package needs to know it: features differ by minor version. */
export interface EtcdVersion {
    major: number;
    minor: number;
    patch: number;
}

const versionPattern = /^v?(\d+)\.(\d+)\.(\d+)(?:[-+.].*)?$/;

/** Parses `3.5.16`, `v3.5.16`, `v3.5.16-amd64`, `3.5.16-debian-12-r0`. Returns undefined for anything else. */
export function parseEtcdVersion(text: string): EtcdVersion | undefined {
    const match = versionPattern.exec(text.trim());
    if (!match) {
        return undefined;
    }
    const [major, minor, patch] = match.slice(1, 4).map(Number);
    return { major, minor, patch };
}

/** The tag of an image reference (`repo/name:tag[@digest]`), or undefined when it has none. */
export function imageTag(image: string): string | undefined {
    const withoutDigest = image.split("@")[0];
    const lastSlash = withoutDigest.lastIndexOf("/");
    const colon = withoutDigest.indexOf(":", lastSlash + 1);
    return colon < 0 ? undefined : withoutDigest.slice(colon + 1);
}

/** The etcd version an image runs, read from its tag; undefined for `latest`, digests-only and other tags. */
export function versionFromImage(image: string): EtcdVersion | undefined {
    const tag = imageTag(image);
    return tag === undefined ? undefined : parseEtcdVersion(tag);
}

/** True when `v` is at least `major.minor`. */
export function atLeast(v: EtcdVersion, major: number, minor: number): boolean {
    return v.major > major || (v.major === major && v.minor >= minor);
}

export function formatEtcdVersion(v: EtcdVersion): string {
    return `${v.major}.${v.minor}.${v.patch}`;
}
