/**
 * A fake clock for the generated scripts: `sleep` and `date +%s` first on PATH. `sleep N` returns at once and moves
 * the clock N seconds on; `date +%s` reads it. A retry loop then makes exactly the attempts it would make in real
 * time (its deadline and its back-off are read from the same clock), without the test waiting them out; real
 * waits made the script tests take minutes. Any other `date` call goes to the real one.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

const realDate = execFileSync("/bin/sh", ["-c", "command -v date"], { encoding: "utf8" }).trim();

/** Writes `sleep` and `date` into `bin` (a folder the test puts first on PATH); the clock lives in `state`. */
export function installFakeClock(bin: string, state: string): void {
    const clock = path.join(state, "clock");
    fs.writeFileSync(clock, `${Math.floor(Date.now() / 1000)}\n`);
    // A fraction counts as a whole second, so that sleep 0.5 still moves the clock.
    fs.writeFileSync(path.join(bin, "sleep"), `#!/bin/sh
s=\${1%%[!0-9]*}; [ "$s" = "$1" ] || s=$((\${s:-0} + 1))
echo $(( $(cat '${clock}') + s )) >'${clock}'
`, { mode: 0o755 });
    fs.writeFileSync(path.join(bin, "date"), `#!/bin/sh
[ "$*" = "+%s" ] && exec cat '${clock}'
exec '${realDate}' "$@"
`, { mode: 0o755 });
}
