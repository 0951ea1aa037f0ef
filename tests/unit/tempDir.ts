/**
 * Temporary folders for tests, deleted after the test that made them: a fake's folder holds its answers and calls,
 * and left behind it would pile up in the temp directory with every run.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const made: string[] = [];

// Registered once per test file that imports this module (jest gives each file its own module registry).
afterEach(() => {
    for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A new empty folder under the temp directory, deleted after the current test. */
export function tempDir(prefix: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    made.push(dir);
    return dir;
}
