/**
 * A fake `docker` first on PATH, for running the generated scripts for real under /bin/sh. It answers from
 * canned outputs and records every call (`<host> <argv…>`, one a line, where `<host>` is what follows the `@`
 * of DOCKER_HOST, e.g. `h0` for `ssh://root@h0`).
 *
 * Answers are looked up by who is asked and what: `ps`/`inspect` by host, `logs`/`cp` by container, and
 * `exec <container> …etcdctl… <command>` by container and etcdctl command (see {@link EtcdctlKey}). Give several
 * answers to have the n-th call get the n-th answer (the last one repeats). A call with no answer fails, so a
 * script that asks something unexpected shows. Time is a fake clock ({@link installFakeClock}): waits cost nothing.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import type { ScriptHost } from "../../../components/scripts/shell";
import { tempDir } from "../tempDir";
import { installFakeClock } from "./fakeClock";

export type EtcdctlKey = "member-list" | "status" | "status-cluster" | "health" | "add" | "promote" | "move-leader" | "remove" | "snapshot" | "snapshot-status";
export type Key = EtcdctlKey | "ps" | "inspect" | "logs" | "cp" | "volume" | "create" | "start" | "rm";

/** What one call prints and exits with (`cp`: `out` is written to the destination file instead, or printed for `-`). */
export interface Answer { out?: string; err?: string; rc?: number }

export interface Run { code: number | null; stdout: string; stderr: string; calls: string[] }

/** A host the scripts reach as `ssh://root@<name>`. */
export const fakeHost = (name: string): ScriptHost => ({ url: `ssh://root@${name}`, sshOpts: [], tls: false });

/** Make one inside the test that uses it: its folder is deleted after that test. */
export class FakeDocker {
    readonly dir = tempDir("fake-docker-");

    constructor() {
        fs.mkdirSync(path.join(this.dir, "bin"));
        installFakeClock(path.join(this.dir, "bin"), this.dir);
        fs.writeFileSync(path.join(this.dir, "bin", "docker"), `#!/bin/sh
d=${this.dir}
host=\${DOCKER_HOST##*@}
echo "$host $*" >>"$d/calls"
[ -f "$d/down-$host" ] && { echo "error during connect: ssh: connect to host $host port 22: No route to host" >&2; exit 1; }
case $1 in
  ps|inspect) who=$host; key=$1 ;;
  logs) eval "who=\\\${$#}"; key=logs ;;
  cp) who=\${2%%:*}; key=cp ;;
  exec)
    who=""; prev=""
    for a in "$@"; do case $a in /usr/local/bin/etcdctl|/usr/local/bin/etcdutl) [ -n "$who" ] || who=$prev ;; esac; prev=$a; done
    case "$*" in
      *"member list"*) key=member-list ;;
      *"endpoint status --cluster"*) key=status-cluster ;;
      *"endpoint status"*) key=status ;;
      *"endpoint health"*) key=health ;;
      *"member add"*) key=add ;;
      *"member promote"*) key=promote ;;
      *"move-leader"*) key=move-leader ;;
      *"member remove"*) key=remove ;;
      *"snapshot save"*) key=snapshot ;;
      *"snapshot status"*) key=snapshot-status ;;
      *) key=unknown ;;
    esac ;;
  *) who=$host; key=$1 ;;
esac
base="$d/answers/$who/$key"
[ -f "$base.last" ] || { echo "fake docker: no answer for $key of $who" >&2; exit 1; }
n=$(( $(cat "$base.calls" 2>/dev/null || echo 0) + 1 )); echo "$n" >"$base.calls"
last=$(cat "$base.last"); [ "$n" -le "$last" ] || n=$last
# docker cp <container>:<path> - writes to stdout, as the restore's data check does: never to a file named "-".
if [ "$key" = cp ] && [ "$3" != - ]; then [ ! -f "$base.$n.out" ] || cp "$base.$n.out" "$3"
else [ ! -f "$base.$n.out" ] || cat "$base.$n.out"; fi
[ ! -f "$base.$n.err" ] || cat "$base.$n.err" >&2
exit "$(cat "$base.$n.rc")"
`, { mode: 0o755 });
    }

    /** `who` (a host for ps/inspect, else a container) answers `key` with these answers, in turn. */
    answer(who: string, key: Key, ...answers: Answer[]): this {
        const base = path.join(this.dir, "answers", who, key);
        fs.mkdirSync(path.dirname(base), { recursive: true });
        answers.forEach((a, i) => {
            if (a.out !== undefined) fs.writeFileSync(`${base}.${i + 1}.out`, a.out);
            if (a.err !== undefined) fs.writeFileSync(`${base}.${i + 1}.err`, a.err);
            fs.writeFileSync(`${base}.${i + 1}.rc`, String(a.rc ?? 0));
        });
        fs.writeFileSync(`${base}.last`, String(answers.length));
        return this;
    }

    /** The host's Docker engine does not answer at all. */
    down(host: string): this {
        fs.writeFileSync(path.join(this.dir, `down-${host}`), "");
        return this;
    }

    /** Runs `script` under /bin/sh with the fake first on PATH; never longer than `limitMs`. */
    run(script: string, env: Record<string, string> = {}, limitMs = 20_000): Run {
        const r = spawnSync("/bin/sh", ["-c", script], {
            env: { ...process.env, ...env, PATH: `${this.dir}/bin:${process.env.PATH}` }, encoding: "utf8", timeout: limitMs, stdio: ["ignore", "pipe", "pipe"],
        });
        const file = path.join(this.dir, "calls");
        const calls = fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").filter((l) => l !== "") : [];
        return { code: r.status, stdout: r.stdout, stderr: r.stderr, calls };
    }
}
