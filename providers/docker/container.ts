/**
 * docker Container as kreuzwerker/terraform-provider-docker v4.5.0 performs it (resource_docker_container_funcs.go):
 * create + uploads + start (+ wait for healthy) on create; one ContainerUpdate of the restart policy and resource
 * limits on update, and a start when must_run turns true; on delete a stop with `destroyGraceSeconds` as timeout
 * (0 when unset: killed at once), then a forced removal. Source lines:
 * https://github.com/kreuzwerker/terraform-provider-docker/blob/v4.5.0/internal/provider/resource_docker_container_funcs.go#L991-L1131
 */
import { sleep, tail } from "../exec";
import { DockerHost } from "./dockerHost";
import { buildTar } from "./tar";
import { planContainer } from "./containerArgs";

export type Log = (line: string) => void;

/** A create that failed after the container was made: the engine keeps it in the state (to delete or retry). */
export class InitFailed extends Error {
  constructor(message: string, readonly id: string) {
    super(message);
    this.name = "InitFailed";
  }
}

async function logsTail(host: DockerHost, id: string): Promise<string> {
  const r = await host.cli(["logs", "--tail", "20", id]);
  return tail(`${r.stdout}\n${r.stderr}`, 20);
}

async function waitHealthy(log: Log, host: DockerHost, id: string, label: string, timeoutSec: number): Promise<void> {
  log(`[${host.host}] wait up to ${timeoutSec}s for ${label} to be healthy`);
  const deadline = Date.now() + timeoutSec * 1000;
  let last: any;
  for (;;) {
    last = await host.inspect("container", id);
    const state = last?.State;
    if (!state) throw new Error(`${label} disappeared while waiting for it to be healthy`);
    if (state.Health?.Status === "healthy") return;
    if (!state.Running) {
      throw new Error(`${label} exited (code ${state.ExitCode}) while waiting for it to be healthy; last logs:\n${await logsTail(host, id)}`);
    }
    if (Date.now() > deadline) break;
    await sleep(500);
  }
  const logs: any[] = last?.State?.Health?.Log ?? [];
  const l = logs[logs.length - 1];
  throw new Error(
    `${label} did not become healthy within ${timeoutSec}s (status ${last?.State?.Health?.Status ?? "none"})` +
      (l ? `; last health check: exit ${l.ExitCode}, output: ${tail(String(l.Output ?? ""), 10)}` : "; no health check ran"),
  );
}

/** `docker update` flags for the keys the provider's Update applies (ContainerUpdate with Resources and RestartPolicy). */
export function updateArgv(inputs: Record<string, any>, changed: string[]): string[] {
  const argv: string[] = [];
  const has = (k: string) => changed.includes(k);
  if (has("restart") || has("maxRetryCount")) {
    const policy = String(inputs.restart ?? "no");
    argv.push("--restart", policy === "on-failure" && inputs.maxRetryCount ? `on-failure:${inputs.maxRetryCount}` : policy);
  }
  if (has("memory")) argv.push("--memory", `${inputs.memory ?? 0}m`);
  return argv;
}

/** Creates, fills and starts a container; returns its id. Inputs are plain (no secret wrappers). */
export async function createContainer(host: DockerHost, inputs: Record<string, any>, log: Log): Promise<string> {
  const plan = planContainer(inputs);
  if (plan.name && (await host.inspect("container", plan.name))) {
    // The provider's create fails on Docker's name conflict too; said here with the way out.
    throw new Error(`container ${plan.name} already exists on docker host ${host.host} (left over from an earlier run? remove it)`);
  }
  log(`[${host.host}] create container ${plan.name ?? "(generated name)"} uploads=[${plan.uploads.map((u) => u.file).join(",")}]`);
  const q = plan.name ? `?name=${encodeURIComponent(plan.name)}` : "";
  const created = await host.api("POST", `/containers/create${q}`, plan.body);
  const id: string = created.Id;
  const label = `container ${plan.name ?? id.slice(0, 12)}`;
  try {
    for (const u of plan.uploads) {
      // The provider uploads with CopyToContainer before start (resource_docker_container_funcs.go, create).
      const tar = buildTar([{ path: u.file.replace(/^\/+/, ""), content: u.content, mode: u.mode }]);
      await host.cliOk(["cp", "-", `${id}:/`], { input: tar });
    }
    if (plan.start) {
      await host.cliOk(["start", id]);
      if (plan.wait) await waitHealthy(log, host, id, label, plan.waitTimeout);
      // v4.5.0's create does not fail when the container exited after start; its next read turns must_run
      // false, and the diff then starts it again.
    }
  } catch (e) {
    // The container exists: the provider returns its id with the error (partial state), so it is deleted later.
    throw new InitFailed((e as Error).message, id);
  }
  return id;
}

export async function updateContainer(host: DockerHost, id: string, inputs: Record<string, any>, changed: string[], log: Log): Promise<void> {
  // must_run false → true starts the container when `start` is true (resourceDockerContainerUpdate, first block).
  if (changed.includes("mustRun") && inputs.mustRun !== false && inputs.start !== false) {
    const info = await host.inspect("container", id);
    if (info && !info.State?.Running) {
      log(`[${host.host}] start container ${id.slice(0, 12)} (mustRun)`);
      await host.cliOk(["start", id]);
    }
  }
  const argv = updateArgv(inputs, changed);
  if (argv.length) {
    log(`[${host.host}] update container ${id.slice(0, 12)}: ${argv.join(" ")}`);
    await host.cliOk(["update", ...argv, id]);
  }
}

/** Stop (grace from the state, 0 when unset), forced removal; a container already gone is not an error. */
export async function deleteContainer(host: DockerHost, id: string, inputs: Record<string, any>, log: Log): Promise<"destroyed" | "gone"> {
  if (!(await host.inspect("container", id))) return "gone";
  const grace = Math.max(0, Number(inputs.destroyGraceSeconds ?? 0));
  log(`[${host.host}] stop container ${id.slice(0, 12)} (grace ${grace}s) and remove it`);
  await host.cli(["stop", "-t", String(grace), id]);
  await host.cliOk(["rm", "-f", ...(inputs.removeVolumes === false ? [] : ["-v"]), id]);
  return "destroyed";
}

/**
 * What the real provider's Read (resourceDockerContainerRead, v4.5.0) takes from `docker inspect` where this
 * plugin models the input: the name, the restart policy and memory (what a `docker update` outside Pulumi
 * changes), the published ports while the container runs or must run (flattenContainerPorts: one entry per
 * binding, sorted by port), and for a stopped container `exitCode`, with `mustRun` turned false when it was
 * true, so the next update starts it again. Envs and labels are not read (the provider says why: they mix
 * with the image's). Everything else stays as the state has it.
 */
export function readContainer(info: any, inputs: Record<string, any>): { inputs: Record<string, any>; computed: Record<string, any> } {
  const read: Record<string, any> = { ...inputs };
  const running = info.State?.Running === true;
  const computed: Record<string, any> = { name: String(info.Name ?? "").replace(/^\//, ""), hostname: info.Config?.Hostname };
  read.name = computed.name;
  if (!running) {
    computed.exitCode = info.State?.ExitCode;
    if (inputs.mustRun !== false) read.mustRun = false;
  }
  if (inputs.restart !== undefined) read.restart = info.HostConfig?.RestartPolicy?.Name;
  if (inputs.maxRetryCount !== undefined) read.maxRetryCount = info.HostConfig?.RestartPolicy?.MaximumRetryCount;
  if (inputs.memory !== undefined) read.memory = Math.floor(Number(info.HostConfig?.Memory ?? 0) / 1024 / 1024);
  if (Array.isArray(inputs.ports) && inputs.ports.length > 0 && (running || inputs.mustRun !== false)) {
    read.ports = flattenPorts(info.NetworkSettings?.Ports ?? {});
  }
  return { inputs: read, computed };
}

/** flattenContainerPorts (resource_docker_container_structures.go): sorted by port number, one entry per binding. */
export function flattenPorts(ports: Record<string, { HostIp: string; HostPort: string }[] | null>): Record<string, any>[] {
  const keys = Object.keys(ports).sort((a, b) => parseInt(a, 10) - parseInt(b, 10));
  return keys.flatMap((key) => (ports[key] ?? []).map((b) => {
    const [internal, protocol] = key.split("/");
    return { internal: Number(internal), external: Number(b.HostPort) || 0, ip: b.HostIp, protocol };
  }));
}
