/**
 * LiveDeployer: a stand-in for Pulumi's engine and the docker/command/random/tls providers (which cannot be
 * installed here) that PERFORMS every resource for real against Docker hosts, and keeps per-stack state so that
 * a second deployment of a changed program is an update, as `pulumi up` makes it.
 *
 *   const d = new LiveDeployer({ log: console.log });
 *   const plan = await d.preview("stack", program);   // no step performed (functions run): as `pulumi preview`
 *   const out = await d.deploy("stack", program);      // creates, updates, replaces, deletes
 *   await d.destroy();                                 // every stack, in reverse dependency order
 *
 * The program runs under the Node SDK's mock runtime with engine/monitor.ts as its resource monitor; the engine
 * rules are in engine/ (diff, steps, delete order), what each resource type does in performers/, the provider
 * functions it performs (command:local:run) in performers/functions.ts.
 *
 * How failures travel (checked with @pulumi/pulumi 3.270): a rejected RegisterResource makes every Output of that
 * resource and of its dependents reject, each UNHANDLED; so a failed step (or function call) is recorded and its
 * registration left pending forever, which also means nothing depending on it ever starts (like the engine, which
 * stops at the first error). deploy() waits until every started step has settled, then rejects with a DeploymentError.
 */
import * as pulumi from "@pulumi/pulumi";
import { setMockOptions } from "@pulumi/pulumi/runtime/settings";
import { sleep } from "./exec";
import { isNotFound } from "./dockerHost";
import { Deployment, emptyStack, EngineEnv, StackState, StepFailure } from "./engine/engine";
import { deleteInLayers } from "./engine/deletes";
import { EngineMonitor } from "./engine/monitor";
import { watchAbandonedRegistrations } from "./engine/abandoned";
import { DeleteOutcome, PlanStep, ResourceState } from "./engine/types";
import { unwrapSecrets } from "./engine/values";
import { PerformerContext } from "./performers/context";
import { performers } from "./performers";
import { functionCaller } from "./performers/functions";
import { commandWhere } from "./performers/command";

export { unwrapSecrets } from "./engine/values";
export { formatPlan } from "./engine/plan";
export type { PlanStep } from "./engine/types";

export interface LiveDeployerOptions {
  /** Receives one line per action (never secret values: env and connection values are not logged). */
  log?: (line: string) => void;
  /** Project name (default "etcd-cluster"). */
  project?: string;
  /** Upper bound for one local/remote command (default 10 minutes). */
  commandTimeoutMs?: number;
  /** Upper bound for resolving the program's returned outputs once all resources are done (default 60 s). */
  outputTimeoutMs?: number;
}

/** One thing the deployer created for real (in creation order). */
export interface CreatedRecord {
  type: string;
  name: string;
  urn: string;
  /** The provider id (container id, volume name, network id, ...). */
  id: string;
  /** Docker host (docker resources), `ssh user@host:port` (remote commands), "local" (local commands, tls). */
  host?: string;
  /** Container/volume/network/image name where it has one. */
  resourceName?: string;
  stack: string;
  destroyed?: boolean;
}

export type ResourceFailure = StepFailure;

export class DeploymentError extends Error {
  constructor(readonly failures: ResourceFailure[], readonly programError?: unknown, readonly skipped: { type: string; name: string }[] = []) {
    const lines = failures.map((f) => `- ${f.type} "${f.name}": ${f.message}`);
    if (programError !== undefined) {
      lines.unshift(`- the program threw: ${programError instanceof Error ? programError.message : String(programError)}`);
    }
    if (skipped.length) lines.push(`(not performed after the failure: ${skipped.map((s) => s.name).join(", ")})`);
    super(`deployment failed:\n${lines.join("\n")}`);
    this.name = "DeploymentError";
  }
}

export interface DestroyReport {
  /** `type name` of what was deleted for real (a docker object removed, a delete command run). */
  destroyed: string[];
  /** `type name` of what was already gone (not an error). */
  alreadyGone: string[];
  /** `type name` of what was forgotten without being deleted (retainOnDelete). */
  retained?: string[];
}

export class DestroyError extends Error {
  constructor(readonly failures: ResourceFailure[], readonly report: DestroyReport) {
    super(`destroy failed:\n${failures.map((f) => `- ${f.type} "${f.name}": ${f.message}`).join("\n")}`);
    this.name = "DestroyError";
  }
}

/** The SDK's runtime settings, for what its typings leave out (@internal: waitForRPCs, awaitFeatureSupport). */
const sdkSettings = require("@pulumi/pulumi/runtime/settings");

type Unwrapped<T> = { [K in keyof T]: pulumi.Unwrap<T[K]> };

export class LiveDeployer {
  readonly created: CreatedRecord[] = [];
  /** Steps not performed because an earlier one failed (last deployment). */
  readonly skipped: { type: string; name: string }[] = [];
  /** `type name` of the resources the last deployment found unchanged ("same" steps). */
  readonly unchanged: string[] = [];
  /** The steps of the last deployment or preview, in the order the engine took them. */
  plan: PlanStep[] = [];

  private readonly stacks = new Map<string, StackState>();
  private readonly ctx: PerformerContext;
  private readonly env: EngineEnv;
  private readonly log: (line: string) => void;
  private readonly project: string;
  private readonly outputTimeoutMs: number;
  private deploying = false;
  private stack = "";
  private destroyReport?: DestroyReport;

  constructor(opts: LiveDeployerOptions = {}) {
    this.log = opts.log ?? (() => undefined);
    this.project = opts.project ?? "etcd-cluster";
    this.outputTimeoutMs = opts.outputTimeoutMs ?? 60_000;
    this.ctx = new PerformerContext(this.log, opts.commandTimeoutMs ?? 10 * 60_000);
    const byType = performers(this.ctx);
    this.env = {
      invoke: functionCaller(this.ctx),
      log: this.log,
      performer: (type) => {
        const p = byType[type];
        if (!p) throw new Error(`the live deployer does not perform resource type ${type}`);
        return p;
      },
      created: (r) => this.created.push(this.record(r)),
      deleted: (r, outcome) => this.deleted(r, outcome),
    };
  }

  /** The state of a stack (resources in registration order), for assertions. */
  state(stack: string): ResourceState[] {
    return [...(this.stacks.get(stack)?.resources.values() ?? [])];
  }

  /**
   * Replaces a stack's state with an edited copy: how a test makes the state a stack written by an earlier
   * version of a program would have (resources under other parents, other inputs), to deploy today's over it.
   */
  rewriteState(stack: string, edit: (resources: ResourceState[]) => ResourceState[]): void {
    const s = this.stacks.get(stack);
    if (!s) throw new Error(`no state for stack ${stack}`);
    s.resources = new Map(edit(this.state(stack).map((r) => structuredClone(r))).map((r) => [r.urn, r]));
  }

  /** `pulumi up`: performs the program's resources against the stack's state and returns its outputs. */
  async deploy<T extends Record<string, unknown> | void>(
    stack: string,
    program: () => Promise<T> | T,
  ): Promise<T extends Record<string, unknown> ? Unwrapped<T> : Record<string, never>> {
    const { result } = await this.run(stack, program, false);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries((result ?? {}) as Record<string, unknown>)) out[k] = await this.resolve(k, v);
    return out as any;
  }

  /** `pulumi preview`: the steps a deployment would take; performs nothing and leaves the state as it is. */
  async preview(stack: string, program: () => unknown): Promise<PlanStep[]> {
    const saved = this.stacks.get(stack);
    const copy: StackState = saved ? {
      resources: new Map([...saved.resources].map(([k, r]) => [k, structuredClone(r)])),
      pendingDeletes: saved.pendingDeletes.map((r) => structuredClone(r)),
    } : emptyStack();
    try {
      this.stacks.set(stack, copy);
      await this.run(stack, program, true);
      return this.plan;
    } finally {
      if (saved) this.stacks.set(stack, saved);
      else this.stacks.delete(stack);
    }
  }

  private async run(stack: string, program: () => unknown, preview: boolean): Promise<{ result: unknown }> {
    if (this.deploying) throw new Error("LiveDeployer: a deployment is already running");
    this.deploying = true;
    this.stack = stack;
    let restore = () => {};
    try {
      if (!this.stacks.has(stack)) this.stacks.set(stack, emptyStack());
      const deployment = new Deployment(this.stacks.get(stack)!, this.env, preview);
      await pulumi.runtime.setMocks({ newResource: () => ({ id: "", state: {} }), call: () => ({}) }, this.project, stack, preview);
      setMockOptions(new EngineMonitor(deployment, stack, this.project), this.project, stack, preview);
      // setMockOptions resets every feature flag to false (runtime/settings.ts, resetOptions), undoing setMocks';
      // with them off the SDK sends secrets as plain values and refuses deletedWith. The language host sets them
      // from the monitor's DeploymentInfo when the stack resource registers (settings.ts, setRootResource →
      // awaitFeatureSupport), which a program run here does not do: ask the monitor the same way.
      await sdkSettings.awaitFeatureSupport();
      watchAbandonedRegistrations((what, err) => deployment.abandoned(what, err));
      let result: unknown;
      let programError: unknown;
      // The language host fails the program on an unhandled rejection (sdk/nodejs/cmd/run/run.ts, uncaughtHandler
      // on "unhandledRejection"), which is how the SDK reports an input whose Output rejected: do the same while the
      // program runs, instead of letting the test runner charge it to whatever test is running.
      // Under jest, test code sees a sandboxed `process`; the live suite's environment hands over the real one.
      const host: NodeJS.Process = (globalThis as { __hostProcess?: NodeJS.Process }).__hostProcess ?? process;
      const others = host.listeners("unhandledRejection");
      host.removeAllListeners("unhandledRejection");
      const uncaught = (err: unknown) => {
        programError ??= err;
        deployment.halted = true;
      };
      host.on("unhandledRejection", uncaught);
      restore = () => {
        host.removeListener("unhandledRejection", uncaught);
        if (host.listenerCount("unhandledRejection") === 0) others.forEach((l) => host.on("unhandledRejection", l as (...a: unknown[]) => void));
      };
      try {
        // A program awaiting a failed step or call would wait forever (they are left pending): stop waiting then.
        result = await Promise.race([(async () => program())(), deployment.stopped.then(() => undefined)]);
      } catch (e) {
        programError = e;
        deployment.halted = true; // like the engine: nothing new starts once the program failed
      }
      await this.settle(deployment);
      await sleep(50); // rejections of the last registrations are reported on a later tick
      restore();
      await deployment.finish();
      this.plan = deployment.plan;
      this.skipped.splice(0, this.skipped.length, ...deployment.skipped);
      this.unchanged.splice(0, this.unchanged.length,
        ...deployment.plan.filter((s) => s.op === "same").map((s) => `${s.type} ${s.name}`));
      if (programError !== undefined || deployment.failures.length > 0) {
        throw new DeploymentError([...deployment.failures], programError, [...deployment.skipped]);
      }
      return { result };
    } finally {
      restore();
      this.deploying = false;
    }
  }

  /** Waits until the runtime's RPC queue has drained, or (after a failure) until no started step is running. */
  private async settle(d: Deployment): Promise<void> {
    let drained = false;
    sdkSettings.waitForRPCs().then(() => (drained = true), () => (drained = true));
    for (;;) {
      if (drained && d.busy === 0) return;
      if (d.halted && d.busy === 0) {
        await sleep(100); // let registrations whose inputs were just resolving arrive (they are skipped)
        if (d.busy === 0) return;
      }
      await sleep(25);
    }
  }

  private async resolve(key: string, v: unknown): Promise<unknown> {
    const o = pulumi.output(v as any);
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        new Promise((res) => o.apply((x: unknown) => { res(x); return x; })),
        new Promise((_, rej) => {
          timer = setTimeout(() => rej(new Error(`output '${key}' did not resolve within ${this.outputTimeoutMs} ms after all resources were done`)), this.outputTimeoutMs);
        }),
      ]);
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  /**
   * `pulumi destroy` of one stack, or of every stack: all of its resources, in layers in reverse dependency
   * order. Things already gone are reported, not errors; what failed stays in state, so destroy() again
   * retries it. Idempotent.
   */
  async destroy(stack?: string): Promise<DestroyReport> {
    if (this.deploying) throw new Error("LiveDeployer.destroy: a deployment is running");
    const report: DestroyReport = { destroyed: [], alreadyGone: [], retained: [] };
    const failures: ResourceFailure[] = [];
    this.destroyReport = report;
    try {
      for (const name of stack === undefined ? [...this.stacks.keys()].reverse() : [stack]) {
        const state = this.stacks.get(name);
        if (!state) continue;
        const all = [...state.resources.values(), ...state.pendingDeletes];
        const failed = await deleteInLayers(all, this.env, (r) => {
          if (state.resources.get(r.urn) === r) state.resources.delete(r.urn);
          state.pendingDeletes = state.pendingDeletes.filter((p) => p !== r);
        });
        for (const f of failed) {
          const message = f.error instanceof Error ? f.error.message : String(f.error);
          if (isNotFound(message)) {
            report.alreadyGone.push(`${f.r.type} ${f.r.name}`);
            state.resources.delete(f.r.urn);
          } else {
            this.log(`FAILED to destroy ${f.r.type} ${f.r.name}: ${message.split("\n")[0]}`);
            failures.push({ type: f.r.type, name: f.r.name, message });
          }
        }
        if (state.resources.size === 0 && state.pendingDeletes.length === 0) this.stacks.delete(name);
      }
    } finally {
      this.destroyReport = undefined;
    }
    if (failures.length) throw new DestroyError(failures, report);
    if (this.stacks.size === 0) this.ctx.cleanup();
    if (report.retained!.length === 0) delete report.retained;
    return report;
  }

  private record(r: ResourceState): CreatedRecord {
    const outputs = unwrapSecrets(r.outputs).value;
    const docker = r.type.startsWith("docker:");
    const host = r.type === "pulumi:providers:docker" ? String(r.inputs.host) :
      docker ? this.ctx.hostFor(r).host :
      r.type.startsWith("command:") ? commandWhere(r.type, unwrapSecrets(r.inputs).value) :
      r.type.startsWith("tls:") ? "local" : undefined;
    return {
      type: r.type, name: r.name, urn: r.urn, id: r.id, stack: this.stack, host,
      resourceName: docker ? outputs.name : undefined,
    };
  }

  private deleted(r: ResourceState, outcome: DeleteOutcome | "retained"): void {
    const rec = [...this.created].reverse().find((c) => c.urn === r.urn && c.id === r.id && !c.destroyed);
    if (rec) rec.destroyed = true;
    const report = this.destroyReport;
    if (!report) return;
    const what = `${r.type} ${r.name}`;
    if (outcome === "destroyed") report.destroyed.push(what);
    else if (outcome === "gone") {
      this.log(`${what}: already gone`);
      report.alreadyGone.push(what);
    } else if (outcome === "retained") report.retained!.push(what);
  }
}
