/**
 * The LiveDeployer against a real Docker engine.
 * LIVE_DOCKER_HOST (default unix:///var/run/docker.sock) and LIVE_TEST_IMAGE (default local/busybox:test, built
 * here from Debian's busybox-static when missing and the host is local) select the engine and image.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import * as command from "@pulumi/command";
import * as random from "@pulumi/random";
import { DeploymentError, LiveDeployer } from "./liveDeployer";
import { run } from "./exec";

jest.setTimeout(180_000);

const HOST = process.env.LIVE_DOCKER_HOST ?? "unix:///var/run/docker.sock";
const IMAGE = process.env.LIVE_TEST_IMAGE ?? "local/busybox:test";
const LABEL = "etcd-cluster.live-deployer-test";

async function dockerCli(...args: string[]) {
  const r = await run("docker", ["-H", HOST, ...args], { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`docker ${args.join(" ")}: ${r.stderr}`);
  return r.stdout.trim();
}

async function ensureImage(): Promise<void> {
  const r = await run("docker", ["-H", HOST, "image", "inspect", IMAGE]);
  if (r.code === 0) return;
  if (IMAGE !== "local/busybox:test" || !HOST.startsWith("unix://") || !fs.existsSync("/bin/busybox")) {
    throw new Error(`image ${IMAGE} missing on ${HOST} (apt-get install busybox-static, or load it)`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "busybox-img-"));
  try {
    fs.mkdirSync(path.join(dir, "bin"));
    fs.mkdirSync(path.join(dir, "tmp"), { mode: 0o1777 });
    fs.mkdirSync(path.join(dir, "data"));
    fs.copyFileSync("/bin/busybox", path.join(dir, "bin/busybox"));
    fs.chmodSync(path.join(dir, "bin/busybox"), 0o755);
    for (const a of ["sh", "ls", "cat", "stat", "echo", "sleep", "true", "test"]) fs.symlinkSync("busybox", path.join(dir, "bin", a));
    const tar = await run("tar", ["-C", dir, "-cf", path.join(os.tmpdir(), "busybox-img.tar"), "."]);
    if (tar.code !== 0) throw new Error(tar.stderr);
    await dockerCli("import", "-c", 'CMD ["/bin/sh"]', path.join(os.tmpdir(), "busybox-img.tar"), IMAGE);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Removes whatever an earlier (crashed) run left behind: everything carrying the test label. */
async function removeLeftovers(): Promise<void> {
  const ctrs = (await dockerCli("ps", "-aq", "--filter", `label=${LABEL}`)).split("\n").filter(Boolean);
  if (ctrs.length) await dockerCli("rm", "-f", "-v", ...ctrs);
  const vols = (await dockerCli("volume", "ls", "-q", "--filter", `label=${LABEL}`)).split("\n").filter(Boolean);
  if (vols.length) await dockerCli("volume", "rm", ...vols);
}

// No process-level listener for unhandled rejections: under jest the test's `process.on("unhandledRejection")`
// never fires; jest itself catches them and FAILS the running test (checked: a mock whose newResource throws makes
// the test fail with "failed to register new resource ..."). So these tests passing means deploy() leaked none.
const lines: string[] = [];
let deployer: LiveDeployer;

beforeAll(async () => {
  await ensureImage();
  await removeLeftovers();
});

beforeEach(() => {
  deployer = new LiveDeployer({ log: (l) => lines.push(l) });
});

afterEach(async () => {
  await deployer.destroy().catch(() => undefined); // cleans up even when a test failed half-way
});

afterAll(async () => {
  await removeLeftovers();
});

const labels = [{ label: LABEL, value: "1" }];

function provider(name = "p") {
  return new docker.Provider(name, { host: HOST });
}

describe("LiveDeployer against a real engine", () => {
  it("creates image/volume/container/commands/random for real, then destroys everything", async () => {
    const marker = path.join(os.tmpdir(), `ldt-delete-${process.pid}`);
    fs.rmSync(marker, { force: true });
    const out = await deployer.deploy("ok", async () => {
      const p = provider();
      const img = new docker.RemoteImage("img", { name: IMAGE, keepLocally: true }, { provider: p });
      const suffix = new random.RandomId("suffix", { byteLength: 3 });
      const pw = new random.RandomPassword("pw", { length: 16, special: false });
      const uuid = new random.RandomUuid("uuid", {});
      const vol = new docker.Volume("vol", { name: pulumi.interpolate`ldt-vol-${suffix.hex}`, labels }, { provider: p });
      const ctr = new docker.Container(
        "ctr",
        {
          name: pulumi.interpolate`ldt-ctr-${suffix.hex}`,
          image: img.imageId,
          command: ["/bin/sh", "-c", "echo written > /data/x; exec sleep 3600"],
          envs: ["APP_MODE=test", pulumi.interpolate`PW=${pw.result}`],
          labels: [...labels, { label: "role", value: "probe" }],
          volumes: [{ volumeName: vol.name, containerPath: "/data" }],
          uploads: [{ file: "/etc/app/conf", content: "hello\n", permissions: "0640" }],
          healthcheck: { tests: ["CMD", "test", "-f", "/data/x"], interval: "1s", timeout: "2s", retries: 5 },
          wait: true,
          waitTimeout: 30,
          destroyGraceSeconds: 1,
          restart: "no",
        },
        { provider: p },
      );
      const inspected = new command.local.Command("inspect", {
        create: pulumi.interpolate`docker -H ${HOST} inspect -f '{{.Name}} {{.State.Health.Status}}' ${ctr.id}`,
        delete: `echo "$PULUMI_COMMAND_STDOUT" > ${marker}`,
        environment: { SECRET_LOOKING: "do-not-log-me" },
      });
      return {
        name: ctr.name,
        inspected: inspected.stdout,
        hex: suffix.hex,
        uuid: uuid.result,
        pwLength: pw.result.apply((r) => r.length),
        imageId: img.imageId,
        mountpoint: vol.mountpoint,
      };
    });

    expect(out.hex).toMatch(/^[0-9a-f]{6}$/);
    expect(out.name).toBe(`ldt-ctr-${out.hex}`);
    expect(out.inspected).toBe(`/ldt-ctr-${out.hex} healthy`); // trailing newline trimmed like pulumi-command
    expect(out.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(out.pwLength).toBe(16);
    expect(out.imageId).toMatch(/^sha256:/);
    expect(out.mountpoint).toContain(`ldt-vol-${out.hex}`);

    const info = JSON.parse(await dockerCli("inspect", out.name))[0];
    expect(info.State.Running).toBe(true);
    expect(info.State.Health.Status).toBe("healthy");
    expect(info.Config.Env).toContain("APP_MODE=test");
    expect(info.Config.Env.find((e: string) => e.startsWith("PW="))).toMatch(/^PW=[A-Za-z0-9]{16}$/);
    expect(info.Config.Labels).toMatchObject({ [LABEL]: "1", role: "probe" });
    expect(info.Config.Healthcheck.Test).toEqual(["CMD", "test", "-f", "/data/x"]);
    expect(info.Config.Healthcheck.Interval).toBe(1e9);
    expect(info.Mounts).toEqual(
      expect.arrayContaining([expect.objectContaining({ Type: "volume", Name: `ldt-vol-${out.hex}`, Destination: "/data" })]),
    );
    expect(await dockerCli("exec", out.name, "stat", "-c", "%a %u", "/etc/app/conf")).toBe("640 0");
    expect(await dockerCli("exec", out.name, "cat", "/etc/app/conf")).toBe("hello");

    // records, and nothing secret in the log
    expect(deployer.created.map((r) => r.type)).toEqual(
      expect.arrayContaining(["pulumi:providers:docker", "docker:index/container:Container", "command:local:Command"]),
    );
    const ctrRec = deployer.created.find((r) => r.type === "docker:index/container:Container")!;
    expect(ctrRec).toMatchObject({ name: "ctr", host: HOST, id: info.Id, resourceName: out.name });
    const log = lines.join("\n");
    expect(log).not.toContain("do-not-log-me");
    expect(log).not.toMatch(/PW=[A-Za-z0-9]{16}/);
    expect(log).toContain("env keys=[APP_MODE,PW]");

    const report = await deployer.destroy();
    expect(report.alreadyGone).toEqual([]);
    expect(report.destroyed).toEqual([
      "command:local:Command inspect",
      "docker:index/container:Container ctr",
      "docker:index/volume:Volume vol",
      "pulumi:providers:docker p",
    ]);
    expect(fs.readFileSync(marker, "utf8").trim()).toBe(`/ldt-ctr-${out.hex} healthy`); // delete saw PULUMI_COMMAND_STDOUT
    fs.rmSync(marker, { force: true });
    expect(await dockerCli("ps", "-aq", "--filter", `label=${LABEL}`)).toBe("");
    expect(await dockerCli("volume", "ls", "-q", "--filter", `label=${LABEL}`)).toBe("");
    // idempotent
    expect(await deployer.destroy()).toEqual({ destroyed: [], alreadyGone: [] });
  });

  it("reports a failing command with its stderr, runs nothing that depends on it, and leaks no rejection", async () => {
    const marker = path.join(os.tmpdir(), `ldt-dependent-${process.pid}`);
    fs.rmSync(marker, { force: true });
    const err = await deployer
      .deploy("fail", async () => {
        const p = provider();
        const vol = new docker.Volume("vol2", { name: `ldt-fail-vol-${process.pid}`, labels }, { provider: p });
        const bad = new command.local.Command("bad", {
          create: pulumi.interpolate`echo "using ${vol.name}"; echo oops-from-stderr >&2; exit 3`,
        });
        const dependent = new command.local.Command("dependent", { create: pulumi.interpolate`touch ${marker} # ${bad.stdout}` });
        return { out: dependent.stdout };
      })
      .then(
        () => undefined,
        (e) => e,
      );
    expect(err).toBeInstanceOf(DeploymentError);
    expect(err.failures).toHaveLength(1);
    expect(err.message).toContain('command:local:Command "bad"');
    expect(err.message).toContain("exited with code 3");
    expect(err.message).toContain("oops-from-stderr");
    expect(fs.existsSync(marker)).toBe(false);
    // The volume made before the failure is recorded and destroyed.
    expect(deployer.created.map((r) => r.name)).toEqual(expect.arrayContaining(["p", "vol2"]));
    await new Promise((r) => setTimeout(r, 200)); // a leaked rejection would surface (and fail the test) here
    const report = await deployer.destroy();
    expect(report.destroyed).toContain("docker:index/volume:Volume vol2");
  });

  it("rejects unsupported inputs, the default provider and missing images with clear errors", async () => {
    // Each attempt is its own stack: the same resource names with other inputs in one stack would be an update.
    let attempt = 0;
    const expectFailure = async (program: () => unknown, text: string | RegExp) => {
      const e = await deployer.deploy(`bad-${++attempt}`, async () => { program(); return {}; }).then(() => undefined, (x) => x);
      expect(e).toBeInstanceOf(DeploymentError);
      expect(e.message).toMatch(text);
    };
    await expectFailure(
      () => new docker.Container("c", { image: IMAGE, gpus: "all" }, { provider: provider() }),
      "the live deployer does not support Container input 'gpus'",
    );
    await expectFailure(() => new docker.Container("c", { image: IMAGE }), /never uses the default provider/);
    await expectFailure(
      () => new docker.RemoteImage("i", { name: "local/not-there:1" }, { provider: provider() }),
      "image local/not-there:1 is not present on docker host",
    );
    await expectFailure(
      () => new docker.Provider("p", { host: "unix:///run/live-deployer-nope.sock" }),
      /is not reachable/,
    );
    await expectFailure(() => { throw new Error("program-level failure"); }, "the program threw: program-level failure");
  });

  it("reports things already gone on destroy, and a container that never becomes healthy", async () => {
    await deployer.deploy("gone", async () => {
      const p = provider();
      new docker.Container("c", { name: `ldt-gone-${process.pid}`, image: IMAGE, command: ["sleep", "3600"], labels }, { provider: p });
      return {};
    });
    await dockerCli("rm", "-f", `ldt-gone-${process.pid}`);
    const report = await deployer.destroy();
    expect(report.alreadyGone).toEqual(["docker:index/container:Container c"]);

    const e = await deployer
      .deploy("unhealthy", async () => {
        const p = provider();
        new docker.Container(
          "sick",
          {
            name: `ldt-sick-${process.pid}`,
            image: IMAGE,
            command: ["sleep", "3600"],
            labels,
            healthcheck: { tests: ["CMD", "sh", "-c", "echo not-ready-yet; exit 1"], interval: "1s", retries: 100 },
            wait: true,
            waitTimeout: 4,
          },
          { provider: p },
        );
        return {};
      })
      .then(() => undefined, (x) => x);
    expect(e).toBeInstanceOf(DeploymentError);
    expect(e.message).toContain("did not become healthy within 4s");
    expect(e.message).toContain("not-ready-yet");
    await deployer.destroy();
    expect(await dockerCli("ps", "-aq", "--filter", `label=${LABEL}`)).toBe("");
  });

  describe("second deployments (pulumi up of a changed program)", () => {
    const journal = path.join(os.tmpdir(), `ldt-journal-${process.pid}`);
    const entries = () => (fs.existsSync(journal) ? fs.readFileSync(journal, "utf8").trim().split("\n").filter(Boolean) : []);
    const vname = `ldt-upd-vol-${process.pid}`;
    const cname = `ldt-upd-ctr-${process.pid}`;
    /** A volume, a container on it, and a command that depends on the container through its triggers. */
    const program = (opts: { mode?: string; restart?: string; withCtr?: boolean; retain?: boolean } = {}) => async () => {
      const p = provider();
      const vol = new docker.Volume("vol", { name: vname, labels }, { provider: p, retainOnDelete: opts.retain });
      if (opts.withCtr === false) return {};
      const ctr = new docker.Container("ctr", {
        name: cname, image: IMAGE, labels, restart: opts.restart ?? "no",
        command: ["/bin/sh", "-c", "test -f /data/x || date > /data/x; exec sleep 3600"],
        envs: [`MODE=${opts.mode ?? "a"}`],
        volumes: [{ volumeName: vol.name, containerPath: "/data" }],
      }, { provider: p });
      new command.local.Command("watcher", {
        create: `echo "create $CTR" >> ${journal}; echo "$CTR"`,
        delete: `echo "delete $PULUMI_COMMAND_STDOUT" >> ${journal}`,
        environment: { CTR: ctr.id },
        triggers: [ctr.id],
      });
      return { id: ctr.id };
    };
    beforeEach(() => fs.rmSync(journal, { force: true }));
    afterEach(async () => {
      await dockerCli("rm", "-f", cname).catch(() => undefined);
      await dockerCli("volume", "rm", "-f", vname).catch(() => undefined);
      fs.rmSync(journal, { force: true });
    });

    it("an in-place update (restart policy) keeps the container; a ForceNew change replaces it, and its dependent command's delete runs first", async () => {
      const first = await deployer.deploy("upd", program());
      const written = await dockerCli("exec", cname, "cat", "/data/x");

      await deployer.deploy("upd", program({ restart: "unless-stopped" }));
      expect(deployer.plan.find((s) => s.name === "ctr")).toMatchObject({ op: "update", keys: ["restart"] });
      const updated = JSON.parse(await dockerCli("inspect", cname))[0];
      expect(updated.Id).toBe(first.id);
      expect(updated.HostConfig.RestartPolicy.Name).toBe("unless-stopped");

      await deployer.deploy("upd", program({ restart: "unless-stopped", mode: "b" }));
      const steps = deployer.plan.map((s) => `${s.op} ${s.name}`);
      expect(steps).toEqual(expect.arrayContaining(["same vol", "delete-replace ctr", "delete-replace watcher"]));
      const replaced = JSON.parse(await dockerCli("inspect", cname))[0];
      expect(replaced.Id).not.toBe(first.id);
      expect(replaced.Config.Env).toContain("MODE=b");
      expect(await dockerCli("exec", cname, "cat", "/data/x")).toBe(written); // same volume, same data
      expect(entries()).toEqual([`create ${first.id}`, `delete ${first.id}`, `create ${replaced.Id}`]);
      const log = lines.join("\n");
      expect(log.indexOf(`delete "echo`)).toBeLessThan(log.indexOf(`remove container ${cname} (killed`));

      await deployer.destroy();
      expect(entries()).toEqual([`create ${first.id}`, `delete ${first.id}`, `create ${replaced.Id}`, `delete ${replaced.Id}`]);
    });

    it("resources the program no longer registers are deleted after it, dependents first; a retained volume survives destroy", async () => {
      await deployer.deploy("rm", program({ retain: true }));
      lines.length = 0;
      await deployer.deploy("rm", program({ retain: true, withCtr: false }));
      expect(deployer.plan.map((s) => `${s.op} ${s.name}`)).toEqual(["same p", "same vol", "delete watcher", "delete ctr"]);
      const log = lines.join("\n");
      expect(log.indexOf("command watcher: delete")).toBeGreaterThan(-1);
      expect(log.indexOf("command watcher: delete")).toBeLessThan(log.indexOf(`remove container ${cname}`));
      expect((await run("docker", ["-H", HOST, "inspect", cname])).code).not.toBe(0);

      const report = await deployer.destroy();
      expect(report.retained).toEqual(["docker:index/volume:Volume vol"]);
      expect(await dockerCli("volume", "inspect", "-f", "{{.Name}}", vname)).toBe(vname);
    });
  });
});

