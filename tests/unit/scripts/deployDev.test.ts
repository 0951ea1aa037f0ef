/**
 * `npm run deploy:dev` on machines that lack something: run for real under bash with fake `docker`, `curl`, `npm`
 * and `pulumi` first on PATH and an empty HOME, so nothing is installed or deployed. Each failure is one line
 * on stderr that says why and what to do.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const script = path.resolve(__dirname, "../../../scripts/deploy-dev.sh");

/**
 * Fakes: each tool prints its argv to `calls` and exits with the given code, or runs the given shell body (missing
 * from the map: not on PATH).
 */
function runWith(tools: Record<string, number | string>) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "deploy-dev-"));
    const bin = path.join(dir, "bin");
    fs.mkdirSync(bin);
    fs.mkdirSync(path.join(dir, "home"));
    // Only what the script needs besides the fakes, so the machine's own docker or pulumi cannot be found.
    for (const t of ["bash", "sh", "mktemp", "rm", "dirname", "cat"]) fs.symlinkSync(spawnSync("which", [t], { encoding: "utf8" }).stdout.trim(), path.join(bin, t));
    for (const [tool, rc] of Object.entries(tools)) {
        fs.writeFileSync(path.join(bin, tool), `#!/bin/sh\necho "${tool} $*" >>"${dir}/calls"\n${typeof rc === "number" ? `exit ${rc}` : rc}\n`, { mode: 0o755 });
    }
    const r = spawnSync(path.join(bin, "bash"), [script], { env: { PATH: bin, HOME: path.join(dir, "home") }, encoding: "utf8", timeout: 20_000 });
    const calls = fs.existsSync(path.join(dir, "calls")) ? fs.readFileSync(path.join(dir, "calls"), "utf8").trim().split("\n") : [];
    fs.rmSync(dir, { recursive: true, force: true });
    return { code: r.status, stderr: r.stderr, stdout: r.stdout, calls };
}

it.each<[string, Record<string, number>, RegExp]>([
    ["no docker CLI", {}, /^deploy:dev: the docker CLI is not installed: install Docker/],
    ["no Docker engine", { docker: 1 }, /^deploy:dev: no Docker engine answers at unix:\/\/\/var\/run\/docker.sock: start Docker/],
    ["no Pulumi CLI and no network", { docker: 0, curl: 6 }, /^deploy:dev: cannot download Pulumi's installer from https:\/\/get.pulumi.com \(no network/],
    ["npm registry unreachable", { docker: 0, pulumi: 0, npm: 1 }, /^deploy:dev: npm ci failed/],
])("%s: one line saying why, nothing deployed", (_label, tools, reason) => {
    const r = runWith(tools);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(reason);
    expect(r.calls.some((c) => c.startsWith("pulumi up"))).toBe(false);
});

it("with everything there: npm ci, the existing login, the dev stack, pulumi up, then the health report", () => {
    const r = runWith({ docker: 0, npm: 0, pulumi: 0 });
    expect(r.code).toBe(0);
    expect(r.calls).toEqual(["docker info", "npm ci --no-audit --no-fund", "pulumi whoami", "pulumi stack select --create dev", "pulumi up --yes --stack dev", "pulumi stack output --stack dev healthReport"]);
});

it("a failed pulumi up says how to finish or clean up the half-created stack, in one line", () => {
    const r = runWith({ docker: 0, npm: 0, pulumi: 'case $1 in up) echo "error: update failed" >&2; exit 255 ;; whoami) exit 1 ;; esac' });
    expect(r.code).toBe(1);
    expect(r.calls).toContain("pulumi login --local");
    const lines = r.stderr.trim().split("\n");
    expect(lines[0]).toBe("error: update failed");
    expect(lines.slice(1)).toHaveLength(1);
    expect(lines[1]).toMatch(/^deploy:dev: pulumi up failed .* run 'npm run deploy:dev' again, or remove what was created with 'pulumi destroy --stack dev --yes' .* 'pulumi stack rm dev --yes'$/);
    expect(r.calls).not.toContain("pulumi stack output --stack dev healthReport");
});
