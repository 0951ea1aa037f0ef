/**
 * Pure translation of `docker:index/container:Container` inputs (@pulumi/docker 5.x) into an Engine API create
 * request plus the plugin's lifecycle plan.
 *
 * Why an Engine API request body and not `docker create` argv: the docker CLI's `--health-cmd` always builds a
 * `CMD-SHELL` test, so the exec form `["CMD", "etcdctl", "endpoint", "health"]` that distroless images (etcd's)
 * need cannot be expressed on the command line. The body built here is POSTed to `/containers/create` through
 * `docker -H <host> system dial-stdio` (see dockerHost.ts), which works for unix://, ssh:// and tcp:// hosts
 * alike. This is also what the real provider (terraform-provider-docker) does: it talks to the Engine API.
 *
 * Only the inputs the etcd component sets are modelled (SUPPORTED_CONTAINER_INPUTS); any other key is refused,
 * so nothing is silently ignored.
 */

/** Go-style duration ("1m30s", "500ms", "2s", "0") → nanoseconds. */
export function parseDuration(text: string): number {
  const s = String(text).trim();
  if (s === "0") return 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g;
  const unit: Record<string, number> = { ns: 1, us: 1e3, "µs": 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
  let total = 0;
  let consumed = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    if (m.index !== consumed) break;
    total += parseFloat(m[1]) * unit[m[2]];
    consumed = m.index + m[0].length;
  }
  if (s === "" || consumed !== s.length) {
    throw new Error(`invalid duration ${JSON.stringify(text)} (expected e.g. "500ms", "2s", "1m30s")`);
  }
  return Math.round(total);
}

export interface UploadPlan {
  /** Absolute path in the container. */
  file: string;
  content: Buffer;
  mode: number;
}

export interface ContainerPlan {
  /** `?name=` of POST /containers/create (undefined: Docker picks a name). */
  name?: string;
  /** JSON body of POST /containers/create. */
  body: Record<string, any>;
  uploads: UploadPlan[];
  /** `start` input (default true). */
  start: boolean;
  /** `mustRun` (default true): only read by an update (false → true starts the container). */
  mustRun: boolean;
  wait: boolean;
  /** seconds, default 60 as in the provider */
  waitTimeout: number;
  /** `docker stop -t N` before removal on destroy when set. */
  destroyGraceSeconds?: number;
  /** remove anonymous volumes on destroy (`removeVolumes`, default true) */
  removeVolumes: boolean;
}

/**
 * Input keys the plugin performs: those the etcd component sets (components/resources: etcdMember.ts,
 * maintenance.ts, bootstrap.ts) and the lifecycle keys the real provider defaults (see containerCheck.ts).
 */
export const SUPPORTED_CONTAINER_INPUTS = [
  "name", "image", "envs", "command", "entrypoints", "labels", "healthcheck", "stopTimeout", "ports", "networkMode",
  "volumes", "restart", "maxRetryCount", "dns", "logDriver", "logOpts", "memory", "cpus", "uploads", "mustRun",
  "start", "wait", "waitTimeout", "destroyGraceSeconds", "removeVolumes", "attach", "logs", "rm",
] as const;

const SUPPORTED = new Set<string>(SUPPORTED_CONTAINER_INPUTS);

function unsupported(key: string, detail?: string): Error {
  return new Error(`the provider plugin does not model Container input '${key}'${detail ? ` (${detail})` : ""}`);
}

function checkKeys(obj: Record<string, unknown>, allowed: string[], where: string): void {
  for (const k of Object.keys(obj)) {
    if (obj[k] === undefined || k.startsWith("__")) continue;
    if (!allowed.includes(k)) throw unsupported(`${where}.${k}`);
  }
}

function strArray(v: unknown, key: string): string[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) {
    throw new Error(`Container input '${key}' must be a list of strings, got ${JSON.stringify(v)}`);
  }
  return v as string[];
}

function parseMode(p: string, file: string): number {
  if (!/^[0-7]{3,4}$/.test(p)) throw new Error(`upload ${file}: permissions must be octal like "0644", got ${JSON.stringify(p)}`);
  return parseInt(p, 8);
}

const MB = 1024 * 1024;

/** Translates Container inputs into an Engine API create request plus the plugin's lifecycle plan. */
export function planContainer(rawInputs: Record<string, any>): ContainerPlan {
  const inputs: Record<string, any> = {};
  for (const [k, v] of Object.entries(rawInputs)) {
    if (k.startsWith("__") || v === undefined || v === null) continue;
    if (!SUPPORTED.has(k)) throw unsupported(k);
    inputs[k] = v;
  }
  if (typeof inputs.image !== "string" || inputs.image === "") {
    throw new Error("Container input 'image' is required (a RemoteImage's imageId or an image reference)");
  }
  for (const k of ["attach", "logs", "rm"]) {
    if (inputs[k] === true) throw unsupported(k, `${k}: true is not performed; leave it unset or false`);
  }

  const body: Record<string, any> = { Image: inputs.image };
  const hc: Record<string, any> = {};
  body.HostConfig = hc;

  if (inputs.envs !== undefined) {
    const envs = strArray(inputs.envs, "envs");
    for (const e of envs) if (!e.includes("=")) throw new Error(`Container input 'envs': entry without '=': ${e.split("=")[0]}`);
    body.Env = envs;
  }
  if (inputs.command !== undefined) body.Cmd = strArray(inputs.command, "command");
  if (inputs.entrypoints !== undefined) body.Entrypoint = strArray(inputs.entrypoints, "entrypoints");
  if (inputs.stopTimeout !== undefined) body.StopTimeout = Number(inputs.stopTimeout);

  if (inputs.labels !== undefined) {
    const labels: Record<string, string> = {};
    for (const l of inputs.labels as any[]) {
      checkKeys(l, ["label", "value"], "labels[]");
      labels[String(l.label)] = String(l.value);
    }
    body.Labels = labels;
  }

  if (inputs.healthcheck !== undefined) {
    const h = inputs.healthcheck;
    checkKeys(h, ["tests", "interval", "timeout", "retries", "startPeriod", "startInterval"], "healthcheck");
    const test = strArray(h.tests ?? [], "healthcheck.tests");
    if (test.length === 0) throw new Error("Container input 'healthcheck.tests' must not be empty");
    const hb: Record<string, any> = { Test: test };
    if (h.interval !== undefined) hb.Interval = parseDuration(h.interval);
    if (h.timeout !== undefined) hb.Timeout = parseDuration(h.timeout);
    if (h.startPeriod !== undefined) hb.StartPeriod = parseDuration(h.startPeriod);
    if (h.startInterval !== undefined) hb.StartInterval = parseDuration(h.startInterval);
    if (h.retries !== undefined) hb.Retries = Number(h.retries);
    body.Healthcheck = hb;
  }

  if (inputs.ports !== undefined) {
    const exposed: Record<string, object> = {};
    const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
    for (const p of inputs.ports as any[]) {
      checkKeys(p, ["internal", "external", "ip", "protocol"], "ports[]");
      if (p.internal === undefined) throw new Error("Container input 'ports[].internal' is required");
      const key = `${Number(p.internal)}/${p.protocol ?? "tcp"}`;
      exposed[key] = {};
      (bindings[key] ??= []).push({
        HostIp: p.ip ?? "0.0.0.0",
        HostPort: p.external !== undefined ? String(p.external) : "",
      });
    }
    body.ExposedPorts = exposed;
    hc.PortBindings = bindings;
  }

  if (inputs.networkMode !== undefined) hc.NetworkMode = String(inputs.networkMode);

  if (inputs.volumes !== undefined) {
    // Named volumes only (what the component mounts): a bind of `volumeName` at `containerPath`.
    hc.Binds = (inputs.volumes as any[]).map((v) => {
      checkKeys(v, ["volumeName", "containerPath", "readOnly"], "volumes[]");
      if (!v.volumeName || !v.containerPath) throw new Error("Container input 'volumes[]' needs volumeName and containerPath");
      return `${v.volumeName}:${v.containerPath}${v.readOnly ? ":ro" : ""}`;
    });
  }

  if (inputs.restart !== undefined || inputs.maxRetryCount !== undefined) {
    const name = String(inputs.restart ?? "no");
    if (!["no", "on-failure", "always", "unless-stopped"].includes(name)) {
      throw new Error(`Container input 'restart' must be no|on-failure|always|unless-stopped, got ${name}`);
    }
    hc.RestartPolicy = { Name: name, MaximumRetryCount: Number(inputs.maxRetryCount ?? 0) };
  }
  if (inputs.dns !== undefined) hc.Dns = strArray(inputs.dns, "dns");
  if (inputs.logDriver !== undefined || inputs.logOpts !== undefined) {
    hc.LogConfig = { Type: inputs.logDriver ?? "json-file", Config: { ...(inputs.logOpts ?? {}) } };
  }
  // The provider takes memory in MB.
  if (inputs.memory !== undefined) hc.Memory = Number(inputs.memory) * MB;
  // A decimal string of CPUs, as docker's --cpus (opts.ParseCPUs in resource_docker_container_funcs.go, v4.5.0).
  if (inputs.cpus !== undefined) {
    const cpus = Number(inputs.cpus);
    if (!Number.isFinite(cpus) || cpus <= 0) throw unsupported("cpus", `cpus: ${JSON.stringify(inputs.cpus)} is not a positive number of CPUs`);
    hc.NanoCpus = Math.round(cpus * 1e9);
  }

  const uploads: UploadPlan[] = ((inputs.uploads ?? []) as any[]).map((u) => {
    checkKeys(u, ["file", "content", "contentBase64", "executable", "permissions"], "uploads[]");
    const file = String(u.file ?? "");
    if (!file.startsWith("/")) throw new Error(`upload: 'file' must be an absolute path, got ${JSON.stringify(file)}`);
    if ((u.content === undefined) === (u.contentBase64 === undefined)) throw new Error(`upload ${file}: exactly one of content, contentBase64 is required`);
    return {
      file,
      content: u.content !== undefined ? Buffer.from(String(u.content), "utf8") : Buffer.from(String(u.contentBase64), "base64"),
      mode: u.permissions !== undefined ? parseMode(String(u.permissions), file) : u.executable ? 0o744 : 0o644,
    };
  });

  const wait = inputs.wait === true;
  if (wait && body.Healthcheck === undefined) {
    // The provider's rule: wait needs a healthcheck. (One inherited from the image would do for Docker, but the
    // provider can't know it either, so require it explicitly.)
    throw new Error("Container input 'wait: true' requires a 'healthcheck'");
  }
  return {
    name: inputs.name !== undefined ? String(inputs.name) : undefined,
    body,
    uploads,
    start: inputs.start !== false,
    mustRun: inputs.mustRun !== false,
    wait,
    waitTimeout: inputs.waitTimeout !== undefined ? Number(inputs.waitTimeout) : 60,
    destroyGraceSeconds: inputs.destroyGraceSeconds !== undefined ? Number(inputs.destroyGraceSeconds) : undefined,
    removeVolumes: inputs.removeVolumes !== false,
  };
}
