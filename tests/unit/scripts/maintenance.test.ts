/**
 * The maintenance loop, run for real under /bin/sh with a fake etcdctl/etcdutl first on PATH and the backup directory
 * redirected: one round of snapshot, prune and defrag, the loop ended by a fake `sleep`.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { maintenanceScript } from "../../../components/scripts/maintenance";
import { tempDir } from "../tempDir";

function round(over: Partial<Parameters<typeof maintenanceScript>[0]>, failing: string[] = []) {
    const dir = tempDir("maint-");
    const bin = path.join(dir, "bin");
    const backups = path.join(dir, "backups");
    fs.mkdirSync(bin);
    fs.mkdirSync(backups);
    for (const old of ["seed-20260101T000000Z.db", "seed-20260102T000000Z.db"]) fs.writeFileSync(path.join(backups, old), "old");
    fs.utimesSync(path.join(backups, "seed-20260101T000000Z.db"), new Date(2026, 0, 1), new Date(2026, 0, 1));
    // etcdctl: records its arguments; snapshot save writes the file; defrag and save fail for the endpoints in `failing`.
    fs.writeFileSync(path.join(bin, "etcdctl"), `#!/bin/sh
echo "etcdctl $*" >>"${dir}/calls"
for a in "$@"; do case $a in --endpoints=*) ep=\${a#--endpoints=} ;; esac; done
case " ${failing.join(" ")} " in *" $ep "*) echo "Error: context deadline exceeded" >&2; exit 1 ;; esac
case "$*" in *"snapshot save"*) eval "f=\\\${$#}"; echo BOLT >"$f" ;; esac
exit 0
`, { mode: 0o755 });
    fs.writeFileSync(path.join(bin, "etcdutl"), `#!/bin/sh\necho '{"hash":1,"revision":7,"totalKey":3,"totalSize":4}'\n`, { mode: 0o755 });
    fs.writeFileSync(path.join(bin, "sleep"), "#!/bin/sh\nexit 99\n", { mode: 0o755 });
    const script = maintenanceScript({ clusterName: "seed", endpoints: ["http://a:2379", "http://b:2379", "http://c:2379"], etcdctlFlags: ["--cacert=/p/ca.crt"], intervalSeconds: 60, keep: 2, defrag: true, ...over })
        .replace(/\/usr\/local\/bin\//g, `${bin}/`).replace(/\/backups/g, backups).replace(/^ {2}sleep (\d+)$/m, "  exit 0");
    const r = spawnSync("/bin/sh", ["-c", script], { encoding: "utf8", timeout: 20_000 });
    const calls = fs.existsSync(path.join(dir, "calls")) ? fs.readFileSync(path.join(dir, "calls"), "utf8").trim().split("\n") : [];
    const files = fs.readdirSync(backups).sort();
    const modes = files.map((f) => fs.statSync(path.join(backups, f)).mode & 0o777);
    return { ...r, calls, files, modes, backups };
}

it("saves a verified 0600 snapshot, keeps the newest two, then defragments each member in turn", () => {
    const r = round({});
    expect(r.status).toBe(0);
    expect(r.files).toEqual(["seed-20260102T000000Z.db", expect.stringMatching(/^seed-\d{8}T\d{6}Z\.db$/)]);
    expect(r.modes[1]).toBe(0o600);
    expect(r.stdout).toMatch(/^snapshot .*seed-\d{8}T\d{6}Z\.db from http:\/\/a:2379: \{"hash":1,"revision":7/m);
    expect(r.stdout).toMatch(/^pruned .*seed-20260101T000000Z\.db$/m);
    expect(r.calls.filter((c) => c.includes(" defrag"))).toEqual(["a", "b", "c"].map((h) => `etcdctl --cacert=/p/ca.crt --dial-timeout=5s --command-timeout=300s --endpoints=http://${h}:2379 defrag`));
});

it("saves through the next member when one does not answer, and reports a member whose defrag fails without stopping", () => {
    const r = round({}, ["http://a:2379"]);
    expect(r.stdout).toMatch(/^snapshot through http:\/\/a:2379 failed: Error: context deadline exceeded$/m);
    expect(r.stdout).toMatch(/^snapshot .* from http:\/\/b:2379: /m);
    expect(r.stdout).toMatch(/^defrag of http:\/\/a:2379 failed: Error: context deadline exceeded\ndefragmented http:\/\/b:2379\ndefragmented http:\/\/c:2379$/m);
});

it("does not defragment when asked not to", () => {
    expect(round({ defrag: false }).calls.some((c) => c.includes(" defrag"))).toBe(false);
});
