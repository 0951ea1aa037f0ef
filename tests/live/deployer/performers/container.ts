/**
 * docker Container as kreuzwerker/terraform-provider-docker performs it (resource_docker_container_funcs.go):
 * create + uploads + start (+ wait for healthy) on create; `docker update` of the restart policy and resource
 * limits on update; on delete a stop with `destroyGraceSeconds` as timeout when it is above 0, then a forced
 * removal, which kills a container still running (unset grace = killed at once). Source lines:
 * https://github.com/kreuzwerker/terraform-provider-docker/blob/v4.5.0/internal/provider/resource_docker_container_funcs.go#L991-L1131
 */
import * as fs from "node:fs";
import { DockerHost } from "../dockerHost";
import { tail, sleep } from "../exec";
import { buildTar } from "../tar";
import { PartialCreateError, Performer, ResourceState, Target } from "../engine/types";
import { networkConnectArgv, planContainer } from "../containerArgs";
import { PerformerContext } from "./context";

async function logsTail(host: DockerHost, id: string): Promise<string> {
  const r = await host.cli(["logs", "--tail", "20", id]);
  return tail(`${r.stdout}\n${r.stderr}`, 20);
}

async function waitHealthy(ctx: PerformerContext, host: DockerHost, id: string, label: string, timeoutSec: number): Promise<void> {
  ctx.log(`[${host.host}] wait up to ${timeoutSec}s for ${label} to be healthy`);
  const deadline = Date.now() + timeoutSec * 1000;
  let last: any;
  for (;;) {
    last = await host.inspect("container", id);
    const state = last?.State;
    if (!state) throw new Error(`${label} disappeared while waiting for it to be healthy`);
    if (state.Health?.Status === "healthy") {
      ctx.log(`[${host.host}] ${label} is healthy`);
      return;
    }
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
  if (has("cpuShares")) argv.push("--cpu-shares", String(inputs.cpuShares ?? 0));
  if (has("cpuSet")) argv.push("--cpuset-cpus", String(inputs.cpuSet ?? ""));
  if (has("memory")) argv.push("--memory", `${inputs.memory ?? 0}m`);
  if (has("memorySwap")) argv.push("--memory-swap", `${inputs.memorySwap ?? 0}m`);
  return argv;
}

export function container(ctx: PerformerContext): Performer {
  return {
    computed: ["hostname", "exitCode", "name"],
    async create(t: Target) {
      const plan = planContainer(t.inputs); // throws on unsupported inputs
      const host = ctx.hostFor(t);
      for (const u of plan.uploads) {
        if (u.source !== undefined) u.content = fs.readFileSync(u.source);
      }
      if (plan.name && (await host.inspect("container", plan.name))) {
        throw new Error(`container ${plan.name} already exists on docker host ${host.host} (left over from an earlier run? remove it)`);
      }
      const envKeys = ((plan.body.Env ?? []) as string[]).map((e) => e.split("=")[0]);
      ctx.log(
        `[${host.host}] create container ${plan.name ?? t.name} image=${String(plan.body.Image).slice(0, 19)} ` +
          `env keys=[${envKeys.join(",")}] uploads=[${plan.uploads.map((u) => u.file).join(",")}]`,
      );
      const q = plan.name ? `?name=${encodeURIComponent(plan.name)}` : "";
      const created = await host.api("POST", `/containers/create${q}`, plan.body);
      const id: string = created.Id;
      const label = `container ${plan.name ?? id.slice(0, 12)}`;
      const outputs = async () => {
        const info = await host.inspect("container", id);
        return {
          ...t.inputs,
          name: String(info?.Name ?? "").replace(/^\//, ""),
          hostname: info?.Config?.Hostname,
          exitCode: info?.State?.Running ? undefined : info?.State?.ExitCode,
        };
      };
      try {
        for (const n of plan.extraNetworks) {
          ctx.log(`[${host.host}] connect ${label} to network ${n.name}`);
          await host.cliOk(networkConnectArgv(id, n));
        }
        for (const u of plan.uploads) {
          const tar = buildTar([{ path: u.file.replace(/^\/+/, ""), content: u.content!, mode: u.mode, uid: u.uid, gid: u.gid }]);
          ctx.log(`[${host.host}] upload ${u.file} (mode ${u.mode.toString(8)}, ${u.content!.length} bytes) into ${label}`);
          const owned = u.uid !== undefined || u.gid !== undefined;
          await host.cliOk(["cp", ...(owned ? ["-a"] : []), "-", `${id}:/`], { input: tar });
        }
        if (plan.start) {
          ctx.log(`[${host.host}] start ${label}`);
          await host.cliOk(["start", id]);
          if (plan.wait) await waitHealthy(ctx, host, id, label, plan.waitTimeout);
          // The provider's create does not fail when the container exited after start (v4.5.0 has no such
          // check); its next read turns must_run false, and the diff then starts it again.
        }
      } catch (e) {
        // The container exists: the provider returns its id with the error, so the state keeps it (to delete).
        throw new PartialCreateError((e as Error).message, id, await outputs().catch(() => ({ ...t.inputs })));
      }
      return { id, outputs: await outputs() };
    },

    async update(old: ResourceState, t: Target, changed: string[]) {
      const host = ctx.hostFor(t);
      const label = `container ${old.outputs.name ?? old.id.slice(0, 12)}`;
      const argv = updateArgv(t.inputs, changed);
      if (argv.length) {
        ctx.log(`[${host.host}] update ${label}: ${argv.join(" ")}`);
        await host.cliOk(["update", ...argv, old.id]);
      }
      if (changed.includes("mustRun") && t.inputs.mustRun !== false && t.inputs.start !== false) {
        const info = await host.inspect("container", old.id);
        if (info && !info.State?.Running) {
          ctx.log(`[${host.host}] start ${label} (mustRun)`);
          await host.cliOk(["start", old.id]);
        }
      }
      const drift = changed.filter((k) => ["healthcheck", "tmpfs", "init"].includes(k));
      if (drift.length) ctx.log(`[${host.host}] ${label}: ${drift.join(", ")} changed in state only; the running container keeps the old value`);
      return { ...old.outputs, ...t.inputs };
    },

    async delete(old: ResourceState) {
      const host = ctx.hostFor(old);
      const label = `container ${old.outputs.name ?? old.id.slice(0, 12)}`;
      if (!(await host.inspect("container", old.id))) return "gone";
      const grace = Number(old.inputs.destroyGraceSeconds ?? 0);
      if (grace > 0) {
        ctx.log(`[${host.host}] stop ${label} (grace ${grace}s)`);
        await host.cli(["stop", "-t", String(grace), old.id]);
      }
      ctx.log(`[${host.host}] remove ${label}${grace > 0 ? "" : " (killed: no destroyGraceSeconds)"}`);
      await host.cliOk(["rm", "-f", ...(old.inputs.removeVolumes === false ? [] : ["-v"]), old.id]);
      return "destroyed";
    },
  };
}
