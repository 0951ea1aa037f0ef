/**
 * A maintenance image for the live lab, which has no registry: the lab's etcd image (etcdctl, etcdutl, libc) plus
 * Debian's static busybox as `sh` and the few tools the maintenance loop runs, committed on each host's engine.
 * What a user would build `FROM` a busybox image with the etcd binaries copied in.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { mustRun, run } from "./lab";

const busybox = "/bin/busybox";
const applets = ["sh", "date", "sleep", "ls", "rm", "mv", "chmod", "tail", "sed", "cat", "tr", "head", "printf", "echo"];

/** The tools image for `etcdImage` (tag `local/etcd-tools:<etcd tag>`), made on each host that lacks it. */
export async function ensureToolsImage(sockets: string[], etcdImage: string): Promise<string> {
    const image = `local/etcd-tools:${etcdImage.split(":").pop()}`;
    if (!fs.existsSync(busybox)) throw new Error(`${busybox} not found: install Debian's busybox-static (the lab's setup.sh does)`);
    for (const socket of sockets) {
        if ((await run("docker", ["-H", socket, "image", "inspect", image])).code === 0) continue;
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "etcd-tools-"));
        const build = `etcd-tools-build-${process.pid}`;
        try {
            fs.mkdirSync(path.join(root, "bin"));
            fs.copyFileSync(busybox, path.join(root, "bin", "busybox"));
            fs.chmodSync(path.join(root, "bin", "busybox"), 0o755);
            for (const a of applets) fs.symlinkSync("busybox", path.join(root, "bin", a));
            await run("docker", ["-H", socket, "rm", "-f", build]);
            await mustRun("docker", ["-H", socket, "create", "--name", build, etcdImage], 60_000);
            await mustRun("sh", ["-c", 'tar -C "$1" -c . | docker -H "$2" cp - "$3":/', "sh", root, socket, build], 60_000);
            await mustRun("docker", ["-H", socket, "commit", "--change", "ENTRYPOINT []", "--change", 'CMD ["sh"]', build, image], 60_000);
        } finally {
            await run("docker", ["-H", socket, "rm", "-f", build]);
            fs.rmSync(root, { recursive: true, force: true });
        }
    }
    return image;
}
