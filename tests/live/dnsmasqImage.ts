/**
 * A dnsmasq image for the live lab, which has no registry: Debian's dnsmasq-base binary plus the libraries
 * `ldd` names, imported into the main engine with `docker import` (like the lab's etcd images) and loaded
 * into every lab host that lacks it. No shell in the image; the component runs `dnsmasq` as entrypoint.
 *
 *   await ensureDnsmasqImage(lab.hosts.map((h) => h.socket));
 *
 * Shell equivalent for tests/live/lab/setup.sh (as root, after `apt-get install -y dnsmasq-base`):
 *   r=$(mktemp -d); mkdir -p "$r/usr/sbin" "$r/etc/dnsmasq.d"
 *   cp /usr/sbin/dnsmasq "$r/usr/sbin/"
 *   for l in $(ldd /usr/sbin/dnsmasq | grep -o '/[^ ]*'); do mkdir -p "$r$(dirname "$l")"; cp -L "$l" "$r$l"; done
 *   printf 'root:x:0:0::/:/nonexistent\nnobody:x:65534:65534::/:/nonexistent\n' >"$r/etc/passwd"
 *   printf 'root:x:0:\nnogroup:x:65534:\ndip:x:30:\n' >"$r/etc/group"
 *   tar -C "$r" -c . | docker import -c 'ENTRYPOINT ["/usr/sbin/dnsmasq"]' -c 'LABEL etcd-lab=1' - local/dnsmasq:test
 *   for s in /run/docker-h*.sock; do docker save local/dnsmasq:test | docker -H "unix://$s" load; done
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { mustRun, run } from "./lab";

export const dnsmasqTestImage = "local/dnsmasq:test";
const dnsmasqBinary = "/usr/sbin/dnsmasq";

async function hasImage(dockerHost: string, image: string): Promise<boolean> {
    return (await run("docker", ["-H", dockerHost, "image", "inspect", image])).code === 0;
}

/** Builds `image` in `mainEngine` from the local dnsmasq binary (if missing there), then loads it into each host. */
export async function ensureDnsmasqImage(dockerHosts: string[], image = dnsmasqTestImage, mainEngine = "unix:///var/run/docker.sock"): Promise<void> {
    if (!(await hasImage(mainEngine, image))) {
        if (!fs.existsSync(dnsmasqBinary)) {
            throw new Error(`${dnsmasqBinary} not found: install Debian's dnsmasq-base (apt-get install -y dnsmasq-base) to build ${image}`);
        }
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "dnsmasq-img-"));
        try {
            const libs = (await mustRun("ldd", [dnsmasqBinary])).match(/\/\S+/g) ?? [];
            for (const file of [dnsmasqBinary, ...libs]) {
                fs.mkdirSync(path.join(root, path.dirname(file)), { recursive: true });
                fs.copyFileSync(file, path.join(root, file)); // follows symlinks: the real library under the soname
            }
            fs.chmodSync(path.join(root, dnsmasqBinary), 0o755);
            fs.mkdirSync(path.join(root, "etc/dnsmasq.d"), { recursive: true });
            // dnsmasq drops privileges to nobody (group dip, else the user's group).
            fs.writeFileSync(path.join(root, "etc/passwd"), "root:x:0:0::/:/nonexistent\nnobody:x:65534:65534::/:/nonexistent\n");
            fs.writeFileSync(path.join(root, "etc/group"), "root:x:0:\nnogroup:x:65534:\ndip:x:30:\n");
            const tar = path.join(os.tmpdir(), `dnsmasq-img-${process.pid}.tar`);
            await mustRun("tar", ["-C", root, "-cf", tar, "."]);
            try {
                await mustRun("docker", ["-H", mainEngine, "import", "-c", 'ENTRYPOINT ["/usr/sbin/dnsmasq"]', "-c", "LABEL etcd-lab=1", tar, image], 120_000);
            } finally {
                fs.rmSync(tar, { force: true });
            }
        } finally {
            fs.rmSync(root, { recursive: true, force: true });
        }
    }
    for (const host of dockerHosts) {
        if (!(await hasImage(host, image))) {
            await mustRun("sh", ["-c", 'docker -H "$1" save "$2" | docker -H "$3" load', "sh", mainEngine, image, host], 120_000);
        }
    }
}
