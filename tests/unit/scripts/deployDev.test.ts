/**
 * `npm run deploy:dev` on machines that lack something: run for real under bash with fake `docker`, `node`, `npm`
 * and `pulumi` first on PATH and an empty HOME, in a copy of the scripts folder, so nothing is installed or
 * deployed. Every missing prerequisite is listed at once, one line each that says why and what to do.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const scripts = path.resolve(__dirname, "../../../scripts");

/** A node that answers the version check and records what it runs (the fake "node 22" unless told otherwise). */
const fakeNode = (major: number, dev = "exit 0") => `case "$1" in -p) echo ${major} ;; --version) echo v${major}.0.0 ;; *) ${dev} ;; esac`;

/**
 * Fakes: each tool prints its argv to `calls` and exits with the given code, or runs the given shell body (missing
 * from the map: not on PATH). The script runs from a scratch project folder, so .dev/env lands there.
 */
function runWith(tools: Record<string, number | string>, args: string[] = []) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "deploy-dev-"));
    const bin = path.join(dir, "bin");
    const project = path.join(dir, "project");
    fs.mkdirSync(bin);
    fs.mkdirSync(path.join(dir, "home"));
    fs.mkdirSync(path.join(project, "scripts"), { recursive: true });
    fs.copyFileSync(path.join(scripts, "deploy-dev.sh"), path.join(project, "scripts", "deploy-dev.sh"));
    // Only what the script needs besides the fakes, so the machine's own docker, node or pulumi cannot be found.
    for (const t of ["bash", "sh", "mktemp", "rm", "dirname", "cat", "mkdir"]) fs.symlinkSync(spawnSync("which", [t], { encoding: "utf8" }).stdout.trim(), path.join(bin, t));
    for (const [tool, rc] of Object.entries(tools)) {
        fs.writeFileSync(path.join(bin, tool), `#!/bin/sh\necho "${tool} $*" >>"${dir}/calls"\n${typeof rc === "number" ? `exit ${rc}` : rc}\n`, { mode: 0o755 });
    }
    const r = spawnSync(path.join(bin, "bash"), [path.join(project, "scripts", "deploy-dev.sh"), ...args],
        { env: { PATH: bin, HOME: path.join(dir, "home") }, encoding: "utf8", timeout: 20_000 });
    const calls = fs.existsSync(path.join(dir, "calls")) ? fs.readFileSync(path.join(dir, "calls"), "utf8").trim().split("\n") : [];
    const envFile = path.join(project, ".dev", "env");
    const env = fs.existsSync(envFile) ? fs.readFileSync(envFile, "utf8") : undefined;
    fs.rmSync(dir, { recursive: true, force: true });
    return { code: r.status, stderr: r.stderr, stdout: r.stdout, calls, env, bin };
}

it("a machine with nothing: every prerequisite is listed at once, one line each with its fix, nothing runs", () => {
    const r = runWith({});
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toEqual([
        expect.stringMatching(/^deploy:dev: the docker CLI is not installed: install Docker \(https:/),
        expect.stringMatching(/^deploy:dev: Node.js 22 or newer is needed \(found: none\): install it .* or run 'bash tools\/toolchain.sh node'$/),
        expect.stringMatching(/^deploy:dev: npm is not installed/),
        expect.stringMatching(/^deploy:dev: the Pulumi CLI is not installed: install it \(https:.*\) or build it from its Go module with 'bash tools\/toolchain.sh pulumi'$/),
    ]);
    expect(r.calls).toEqual([]);
});

it.each<[string, Record<string, number | string>, RegExp]>([
    ["no Docker engine", { docker: 1, node: fakeNode(22), npm: 0, pulumi: 0 }, /^deploy:dev: no Docker engine answers at unix:\/\/\/var\/run\/docker.sock: start Docker/],
    ["Node 20", { docker: 0, node: fakeNode(20), npm: 0, pulumi: 0 }, /^deploy:dev: Node.js 22 or newer is needed \(found: v20.0.0\)/],
    ["npm registry unreachable", { docker: 0, node: fakeNode(22), pulumi: 0, npm: 1 }, /^deploy:dev: npm ci failed/],
])("%s: one line saying why, nothing deployed", (_label, tools, reason) => {
    const r = runWith(tools);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(reason);
    expect(r.calls.some((c) => c.startsWith("node scripts/dev.js"))).toBe(false);
});

it("with everything there: npm ci, the existing login, pulumi up through the Automation API, and .dev/env for the next commands", () => {
    const r = runWith({ docker: 0, node: fakeNode(22), npm: 0, pulumi: 0 });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.calls.filter((c) => !c.startsWith("node -p"))).toEqual(["docker info", "npm ci --no-audit --no-fund", "pulumi whoami", "node scripts/dev.js up dev"]);
    expect(r.env).toContain(`export PATH=${r.bin}:"$PATH"`);
    expect(r.env).toContain("export PULUMI_CONFIG_PASSPHRASE=''");
    expect(r.stdout).toMatch(/\. \.dev\/env && pulumi stack output clientEndpoints/);
});

it("a failed pulumi up says how to finish or clean up the half-created stack, in one line", () => {
    const r = runWith({ docker: 0, npm: 0, pulumi: "case $1 in whoami) exit 1 ;; esac", node: fakeNode(22, 'echo "error: update failed" >&2; exit 1') });
    expect(r.code).toBe(1);
    expect(r.calls).toContain("pulumi login --local");
    const lines = r.stderr.trim().split("\n");
    expect(lines[0]).toBe("error: update failed");
    expect(lines.slice(1)).toHaveLength(1);
    expect(lines[1]).toMatch(/^deploy:dev: pulumi up failed .* run 'npm run deploy:dev' again, or remove what was created with 'npm run destroy:dev'/);
});

it("--destroy: pulumi destroy through the Automation API, then stack rm keeping the committed stack config; no npm ci", () => {
    const r = runWith({ docker: 0, node: fakeNode(22), npm: 0, pulumi: 0 }, ["--destroy"]);
    expect(r.code).toBe(0);
    expect(r.calls.filter((c) => !c.startsWith("node -p"))).toEqual(["docker info", "pulumi whoami", "node scripts/dev.js destroy dev", "pulumi stack rm dev --yes --preserve-config"]);
    expect(r.stdout).toMatch(/the dev stack is gone; its data volumes are kept/);
});
