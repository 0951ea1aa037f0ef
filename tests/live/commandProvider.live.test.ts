/**
 * The command provider plugin (providers/command) under the real Pulumi engine, through the Automation API with an
 * inline program: local Commands created, updated in place (seeing PULUMI_COMMAND_STDOUT), replaced by a triggers
 * change and failing with their output; `command.local.run` in a preview and in an update; a remote Command over
 * ssh to the lab's first host, as the component's dnsmasq records use it. Every command appends a line to a
 * journal, so the test sees what ran when (and that nothing ran in a preview). After each up, an empty preview
 * and an empty refresh; destroy runs the delete commands.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { readLab, run } from "./lab";

// Bounds, not expectations: every deployment is followed by a preview and a refresh, and four groups share 2 cores.
jest.setTimeout(900_000);

const work = fs.mkdtempSync(path.join(os.tmpdir(), "command-plugin-"));
const journal = path.join(work, "journal");
const lines = () => (fs.existsSync(journal) ? fs.readFileSync(journal, "utf8").trim().split("\n").filter(Boolean) : []);
const since = (n: number) => lines().slice(n);
const lab = readLab() as ReturnType<typeof readLab> & { sshKey: string; sshUser: string; sshConfig: string };
const h1 = lab.hosts[0];
const remoteFile = `/tmp/command-plugin-${process.pid}.txt`;
const sshToH1 = (script: string) => run("ssh", ["-F", lab.sshConfig, `${lab.sshUser}@${h1.address}`, script]);

interface Step {
  /** `environment` of the command "a": a change is an in-place update. */
  env: string;
  /** `triggers` of the command "t": a change replaces it. */
  trigger: string;
  /** Adds a command that fails. */
  failing?: boolean;
}

const log = (tag: string) => `echo ${tag} >> ${journal}`;

function program(step: Step) {
  return async () => {
    const a = new command.local.Command("a", {
      create: `${log("create-a")}; echo created-a; echo to-stderr >&2`,
      update: `${log("update-a")}; echo "updated after [$PULUMI_COMMAND_STDOUT]"`,
      delete: `${log("delete-a")}; echo "$PULUMI_COMMAND_STDOUT" > ${work}/a.deleted`,
      environment: { STEP: step.env, SECRET: pulumi.secret("s3cret") },
    });
    const t = new command.local.Command("t", {
      create: `${log("create-t-$TRIGGER")}; printf 'trailing\\n\\n'`,
      delete: log("delete-t-$TRIGGER"),
      environment: { TRIGGER: step.trigger },
      triggers: [step.trigger],
    });
    const survey = command.local.runOutput({ command: `${log("run")}; echo "ran with $STEP"`, environment: { STEP: step.env } });
    const remote = new command.remote.Command("r", {
      connection: { host: h1.address, user: lab.sshUser, privateKey: pulumi.secret(fs.readFileSync(lab.sshKey, "utf8")) },
      stdin: `written by step ${step.env}\n`,
      create: `cat > ${remoteFile}; echo "remote $(id -un)"`,
      update: `cat > ${remoteFile}; echo "remote update"`,
      delete: `rm ${remoteFile}`,
    });
    if (step.failing) {
      new command.local.Command("bad", { create: `${log("create-bad")}; echo partial-out; echo why-it-failed >&2; exit 3` }, { dependsOn: [a] });
    }
    return { aOut: a.stdout, aErr: a.stderr, tId: t.id, tOut: t.stdout, survey: survey.stdout, remoteOut: remote.stdout, aEnv: a.environment };
  };
}

const repo = path.resolve(__dirname, "../..");
const toolchainRoot = path.join(repo, ".toolchain");

/** Installs the plugins with the package's installer into a PULUMI_HOME of this test's own. */
async function installPlugins(home: string): Promise<void> {
  const r = await run("bash", [path.join(repo, "providers/install.sh"), home], 300_000);
  if (r.code !== 0) throw new Error(`providers/install.sh failed:\n${r.stdout}${r.stderr}`);
  const version = require("@pulumi/command/package.json").pulumi.version;
  const shim = path.join(home, "plugins", `resource-command-v${version}`, "pulumi-resource-command");
  if (!fs.existsSync(shim)) throw new Error(`providers/install.sh did not install ${shim}`);
}

let stack: Stack;
/** What the last up changed, from its own summary (the refresh after it has one of its own). */
let changes: Record<string, number> = {};

beforeAll(async () => {
  const home = path.join(work, "pulumi-home");
  await installPlugins(home);
  const backend = path.join(work, "state");
  fs.mkdirSync(backend);
  stack = await LocalWorkspace.createOrSelectStack(
    { stackName: "commands", projectName: "command-plugin", program: program({ env: "1", trigger: "x" }) },
    {
      pulumiCommand: await PulumiCommand.get({ root: toolchainRoot }),
      envVars: {
        PULUMI_HOME: home, PULUMI_CONFIG_PASSPHRASE: "x", PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true", PULUMI_IGNORE_AMBIENT_PLUGINS: "true",
      },
      projectSettings: { name: "command-plugin", runtime: "nodejs", backend: { url: `file://${backend}` } },
    },
  );
});

afterAll(async () => {
  // A test that failed half-way leaves resources (a file on h1): destroy is a no-op once the last test destroyed them.
  if (stack) await stack.destroy({ program: program({ env: "2", trigger: "y" }) } as any);
  fs.rmSync(work, { recursive: true, force: true });
});

/** up, then the empty preview and the empty refresh every deployment must be followed by. */
async function up(step: Step) {
  const r = await stack.up({ program: program(step) });
  changes = r.summary.resourceChanges ?? {};
  await stack.preview({ program: program(step), expectNoChanges: true });
  await stack.refresh({ expectNoChanges: true });
  return Object.fromEntries(Object.entries(r.outputs).map(([k, v]) => [k, v.value]));
}

it("a preview of a new stack runs the invoke and no command", async () => {
  await stack.preview({ program: program({ env: "1", trigger: "x" }) });
  expect(lines()).toEqual(["run"]);
});

let first: Record<string, any>;
it("up creates: create runs, stdout/stderr lose one trailing newline, inputs are echoed, the invoke runs again", async () => {
  const before = lines().length;
  first = await up({ env: "1", trigger: "x" });
  expect(first).toMatchObject({ aOut: "created-a", aErr: "to-stderr", tOut: "trailing\n", survey: "ran with 1", remoteOut: `remote ${lab.sshUser}` });
  expect(first.aEnv).toEqual({ STEP: "1", SECRET: "s3cret" });
  expect(first.tId).toMatch(/^t[0-9a-f]{8}$/);
  // up, then the preview and the refresh after it: the invoke runs in each program run; the refresh runs no program.
  expect(since(before).sort()).toEqual(["create-a", "create-t-x", "run", "run"]);
  expect((await sshToH1(`cat ${remoteFile}`)).stdout).toBe("written by step 1\n");
  // The connection is one secret in the state, inputs and outputs alike (connection.go: `provider:"secret"`), with
  // the defaults the real Check fills in (exportStack shows secrets in plain text, still marked).
  const r = (await stack.exportStack()).deployment.resources.find((x: any) => x.urn.endsWith("command:remote:Command::r"));
  for (const c of [r.inputs.connection, r.outputs.connection]) {
    expect(c["4dabf18193072939515e22adb298388d"]).toBe("1b47061264138c4ac30d75fd1eb44270");
    expect(JSON.parse(c.plaintext)).toMatchObject({ host: h1.address, user: lab.sshUser, port: 22, dialErrorLimit: 10, perDialTimeout: 15 });
  }
});

it("an input change is an in-place update that runs `update` (not in the preview) with the previous stdout", async () => {
  let before = lines().length;
  const preview = await stack.preview({ program: program({ env: "2", trigger: "x" }) });
  expect(preview.changeSummary).toMatchObject({ update: 2 });
  expect(since(before)).toEqual(["run"]);
  before = lines().length;
  const out = await up({ env: "2", trigger: "x" });
  expect(changes).toEqual({ update: 2, same: 2 });
  expect(out.aOut).toBe("updated after [created-a]");
  expect(out.aErr).toBe(""); // the update printed nothing there
  expect(out.tId).toBe(first.tId);
  expect(out.remoteOut).toBe("remote update");
  expect(since(before).filter((l) => l !== "run")).toEqual(["update-a"]);
  expect((await sshToH1(`cat ${remoteFile}`)).stdout).toBe("written by step 2\n");
});

it("a triggers change replaces: create of the new one, then delete of the old one with its own environment", async () => {
  const before = lines().length;
  const out = await up({ env: "2", trigger: "y" });
  expect(changes).toEqual({ replace: 1, same: 3 });
  expect(out.tId).not.toBe(first.tId);
  expect(since(before).filter((l) => l !== "run")).toEqual(["create-t-y", "delete-t-x"]);
});

it("a failing command fails the update with its whole output, and saves no state for it", async () => {
  const before = lines().length;
  const err: Error = await stack.up({ program: program({ env: "2", trigger: "y", failing: true }) }).then(() => undefined as any, (e) => e);
  expect(err).toBeDefined();
  expect(err.message).toContain('exit status 3: running "echo create-bad >> ');
  expect(err.message).toMatch(/partial-out\s+why-it-failed/);
  expect(since(before).filter((l) => l !== "run")).toEqual(["create-bad"]);
  const state = await stack.exportStack();
  expect(state.deployment.resources.map((r: any) => r.urn).filter((u: string) => u.endsWith("::bad"))).toEqual([]);
  await stack.preview({ program: program({ env: "2", trigger: "y" }), expectNoChanges: true });
});

it("an input the plugin does not model is refused by name, and nothing runs", async () => {
  const before = lines().length;
  const refused = async () => {
    new command.local.Command("assets", { create: log("create-assets"), assetPaths: ["*.txt"] });
  };
  const e2: Error = await stack.preview({ program: refused }).then(() => undefined as any, (e) => e);
  expect(e2?.message).toContain("does not model command:local:Command input 'assetPaths'");
  await stack.preview({ program: program({ env: "2", trigger: "y" }), expectNoChanges: true });
  expect(since(before)).toEqual(["run"]); // only the no-change preview's invoke
});

it("destroy runs the delete commands with the state's previous stdout", async () => {
  const before = lines().length;
  await stack.destroy({ program: program({ env: "2", trigger: "y" }) } as any);
  expect(since(before).sort()).toEqual(["delete-a", "delete-t-y"]);
  expect(fs.readFileSync(path.join(work, "a.deleted"), "utf8")).toBe("updated after [created-a]\n");
  expect((await sshToH1(`test -e ${remoteFile}; echo $?`)).stdout.trim()).toBe("1");
});
