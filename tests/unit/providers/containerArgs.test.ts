import { parseDuration, planContainer } from "../../../providers/docker/containerArgs";
import { buildTar } from "../../../providers/docker/tar";
import { parseHttpResponse } from "../../../providers/docker/dockerHost";
import { randomId, randomStringResult } from "../../../providers/random/randomValues";
import { unwrapSecrets } from "../../../providers/values";

describe("parseDuration", () => {
  it.each([
    ["0", 0],
    ["2s", 2e9],
    ["500ms", 5e8],
    ["1m30s", 90e9],
    ["1h", 3600e9],
    ["1.5s", 1.5e9],
    ["10us", 1e4],
  ])("%s → %d ns", (text, ns) => expect(parseDuration(text)).toBe(ns));
  it.each(["", "2", "s", "2x", "2s junk", "-1s"])("rejects %j", (text) => {
    expect(() => parseDuration(text)).toThrow(/invalid duration/);
  });
});

describe("planContainer", () => {
  const base = { image: "sha256:abc" };

  it("translates the supported inputs into an Engine API create body", () => {
    const plan = planContainer({
      ...base,
      name: "etcd-n1",
      envs: ["ETCD_NAME=n1", "X=a=b"],
      command: ["etcd"],
      entrypoints: ["/usr/local/bin/tini", "--"],
      labels: [{ label: "app", value: "etcd" }],
      ports: [{ internal: 2379, external: 12379 }, { internal: 2380, ip: "10.0.0.1", protocol: "udp" }, { internal: 9 }],
      volumes: [
        { volumeName: "data", containerPath: "/var/lib/etcd" },
        { volumeName: "backups", containerPath: "/backups", readOnly: true },
      ],
      restart: "unless-stopped",
      healthcheck: { tests: ["CMD", "etcdctl", "endpoint", "health"], interval: "2s", timeout: "1s", retries: 3, startPeriod: "5s" },
      dns: ["10.0.0.53"],
      logDriver: "json-file",
      logOpts: { "max-size": "10m" },
      memory: 256,
      stopTimeout: 30,
      __defaults: [],
    });
    expect(plan.name).toBe("etcd-n1");
    expect(plan.body).toEqual({
      Image: "sha256:abc",
      Env: ["ETCD_NAME=n1", "X=a=b"],
      Cmd: ["etcd"],
      Entrypoint: ["/usr/local/bin/tini", "--"],
      StopTimeout: 30,
      Labels: { app: "etcd" },
      Healthcheck: { Test: ["CMD", "etcdctl", "endpoint", "health"], Interval: 2e9, Timeout: 1e9, Retries: 3, StartPeriod: 5e9 },
      ExposedPorts: { "2379/tcp": {}, "2380/udp": {}, "9/tcp": {} },
      HostConfig: {
        PortBindings: {
          "2379/tcp": [{ HostIp: "0.0.0.0", HostPort: "12379" }],
          "2380/udp": [{ HostIp: "10.0.0.1", HostPort: "" }],
          "9/tcp": [{ HostIp: "0.0.0.0", HostPort: "" }],
        },
        Binds: ["data:/var/lib/etcd", "backups:/backups:ro"],
        RestartPolicy: { Name: "unless-stopped", MaximumRetryCount: 0 },
        Dns: ["10.0.0.53"],
        LogConfig: { Type: "json-file", Config: { "max-size": "10m" } },
        Memory: 256 * 1024 * 1024,
      },
    });
    expect(plan).toMatchObject({ start: true, mustRun: true, wait: false, waitTimeout: 60, removeVolumes: true });
  });

  it("keeps networkMode host", () => {
    expect(planContainer({ ...base, networkMode: "host" }).body.HostConfig.NetworkMode).toBe("host");
  });

  it("plans uploads with modes", () => {
    const plan = planContainer({
      ...base,
      uploads: [
        { file: "/etc/a.conf", content: "x", permissions: "0640" },
        { file: "/bin/run", contentBase64: Buffer.from("#!").toString("base64"), executable: true },
      ],
    });
    expect(plan.uploads).toEqual([
      { file: "/etc/a.conf", content: Buffer.from("x"), mode: 0o640 },
      { file: "/bin/run", content: Buffer.from("#!"), mode: 0o744 },
    ]);
  });

  it("lifecycle inputs", () => {
    const plan = planContainer({
      ...base,
      healthcheck: { tests: ["CMD-SHELL", "true"] },
      wait: true,
      waitTimeout: 120,
      mustRun: false,
      start: false,
      destroyGraceSeconds: 5,
      removeVolumes: false,
    });
    expect(plan).toMatchObject({ wait: true, waitTimeout: 120, mustRun: false, start: false, destroyGraceSeconds: 5, removeVolumes: false });
  });

  it.each([
    [{ gpus: "all" }, "the provider plugin does not model Container input 'gpus'"],
    [{ mounts: [] }, "the provider plugin does not model Container input 'mounts'"],
    [{ platform: "linux/arm64" }, "does not model Container input 'platform'"],
    [{ attach: true }, "does not model Container input 'attach'"],
    [{ healthcheck: { tests: ["CMD", "x"], bogus: 1 } }, "does not model Container input 'healthcheck.bogus'"],
    [{ ports: [{ internal: 1, hostIp: "x" }] }, "does not model Container input 'ports[].hostIp'"],
    [{ networksAdvanced: [{ name: "n" }] }, "does not model Container input 'networksAdvanced'"],
    [{ volumes: [{ hostPath: "/etc", containerPath: "/etc" }] }, "does not model Container input 'volumes[].hostPath'"],
    [{ uploads: [{ file: "/a", content: "x", owner: "etcd" }] }, "does not model Container input 'uploads[].owner'"],
    [{ uploads: [{ file: "/a", content: "x", contentBase64: "eA==" }] }, /exactly one of content/],
    [{ uploads: [{ file: "a", content: "x" }] }, /absolute path/],
    [{ uploads: [{ file: "/a", content: "x", permissions: "rw" }] }, /octal/],
    [{ wait: true }, /requires a 'healthcheck'/],
    [{ envs: ["NOEQUALS"] }, /without '='/],
    [{ restart: "sometimes" }, /restart/],
    [{ healthcheck: { tests: ["CMD", "x"], interval: "2" } }, /invalid duration/],
  ])("rejects %j", (extra, message) => {
    expect(() => planContainer({ ...base, ...extra })).toThrow(message);
  });

  it.each([["1.5", 1_500_000_000], ["0.01", 10_000_000], [2, 2_000_000_000]])("cpus %j is NanoCpus %d, as docker's --cpus", (cpus, nano) => {
    expect(planContainer({ ...base, cpus }).body.HostConfig.NanoCpus).toBe(nano);
  });

  it.each(["0", "-1", "lots"])("refuses cpus %j", (cpus) => {
    expect(() => planContainer({ ...base, cpus })).toThrow(/not a positive number of CPUs/);
  });

  it("requires image", () => {
    expect(() => planContainer({ name: "x" })).toThrow(/'image' is required/);
  });

  it("ignores undefined values and pulumi-internal keys", () => {
    expect(() => planContainer({ ...base, gpus: undefined, __internal: 1 })).not.toThrow();
  });
});

describe("helpers", () => {
  it("buildTar writes a ustar header with mode, owner and size", () => {
    const tar = buildTar([{ path: "etc/app/conf", content: Buffer.from("hello"), mode: 0o640, uid: 1000, gid: 1001, mtime: 0 }]);
    expect(tar.length).toBe(512 + 512 + 1024);
    expect(tar.subarray(0, 12).toString()).toBe("etc/app/conf");
    expect(tar.subarray(100, 107).toString()).toBe("0000640");
    expect(tar.subarray(108, 115).toString()).toBe("0001750");
    expect(tar.subarray(124, 135).toString()).toBe("00000000005");
    expect(tar.subarray(257, 262).toString()).toBe("ustar");
    expect(tar.subarray(512, 517).toString()).toBe("hello");
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : tar[i];
    expect(parseInt(tar.subarray(148, 154).toString(), 8)).toBe(sum);
  });

  it("parseHttpResponse handles chunked bodies", () => {
    const raw = "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"Id\"\r\n7\r\n:\"abc\"}\r\n0\r\n\r\n";
    expect(parseHttpResponse(raw)).toMatchObject({ status: 201, body: '{"Id":"abc"}' });
  });

  it("unwrapSecrets removes the runtime's secret wrappers", () => {
    const wrapped = {
      connection: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: { host: "h", privateKey: "K" } },
      plain: [1, "a"],
    };
    expect(unwrapSecrets(wrapped)).toEqual({ value: { connection: { host: "h", privateKey: "K" }, plain: [1, "a"] }, secret: true });
    expect(unwrapSecrets({ a: 1 }).secret).toBe(false);
  });

  it("random values have the provider's shapes", () => {
    const r = randomId({ byteLength: 4, prefix: "p-" });
    expect(r.state.hex).toMatch(/^p-[0-9a-f]{8}$/);
    expect(BigInt("0x" + r.state.hex.slice(2)).toString()).toBe(r.state.dec.slice(2));
    const s = randomStringResult("RandomString", { length: 20, special: false, upper: false, minNumeric: 5 });
    expect(s).toMatch(/^[a-z0-9]{20}$/);
    expect(s.replace(/[^0-9]/g, "").length).toBeGreaterThanOrEqual(5);
    expect(() => randomStringResult("RandomString", { length: 4, bogus: 1 })).toThrow("does not model RandomString input 'bogus'");
  });
});
