/**
 * One deployment of a program against a stack's state, as Pulumi's engine runs `pulumi up` (or, with `preview`,
 * `pulumi preview`): each registration is diffed against the state and becomes one step (same, create, update,
 * replace), performed before the registration returns, so that the SDK, which registers a resource only once
 * the URNs of its dependencies resolved (pulumi/pulumi `sdk/nodejs/runtime/resource.ts`, prepareResource), and
 * the engine, which resolves a URN only when that resource's step is done (`pkg/resource/deploy/step_executor.go`),
 * execute a `dependsOn` chain strictly in order. Resources the program no longer registers, and the old halves of
 * create-before-delete replacements, are deleted after the program finished (`deployment_executor.go`,
 * performPostSteps → `step_generator.go` GenerateDeletes / ScheduleDeletes).
 */
import { applyIgnoreChanges, containsUnknown, keepInputSecrets, UNKNOWN, unwrapSecrets } from "./values";
import { replacesOnChange } from "./diff";
import { decide, stepState } from "./decide";
import { deleteInLayers, deleteLayers, deleteResource, dependentReplacements, providerUrn } from "./deletes";
import { MonitorHandler, RegistrationResult } from "./monitor";
import { DeleteOutcome, PartialCreateError, Performer, PlanStep, Registration, ResourceState, Target } from "./types";

export interface StackState {
  /** In registration order. */
  resources: Map<string, ResourceState>;
  /** Old halves a failed deployment did not get to delete: deleted at the end of the next one. */
  pendingDeletes: ResourceState[];
}

export const emptyStack = (): StackState => ({ resources: new Map(), pendingDeletes: [] });

export interface EngineEnv {
  performer(type: string): Performer;
  /** Performs a provider function (invoke) for real; refuses a token it does not perform. */
  invoke(token: string, args: Record<string, any>): Promise<Record<string, any>>;
  log(line: string): void;
  /** Told of each real create and delete (the deployer's records). */
  created(r: ResourceState): void;
  deleted(r: ResourceState, outcome: DeleteOutcome | "retained"): void;
}

export interface StepFailure {
  type: string;
  name: string;
  message: string;
}

const never = <T>() => new Promise<T>(() => undefined);
const label = (r: { type: string; name: string }) => `${r.type} ${r.name}`;

export class Deployment implements MonitorHandler {
  readonly plan: PlanStep[] = [];
  readonly failures: StepFailure[] = [];
  readonly skipped: { type: string; name: string }[] = [];
  /** Stops new steps from starting: the program failed or a step did (step_executor.go stops on the first error). */
  halted = false;
  private stop: () => void = () => undefined;
  /** Settles when a step or call failed: a program waiting on it would wait forever (it is left pending). */
  readonly stopped = new Promise<void>((resolve) => (this.stop = resolve));
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly registered = new Set<string>();
  /** Dependents deleted ahead of a delete-before-replace: when they register again they are created. */
  private readonly deletedEarly = new Set<string>();
  private readonly oldHalves: ResourceState[] = [];

  constructor(private readonly state: StackState, private readonly env: EngineEnv, readonly preview: boolean) {}

  get busy(): number {
    return this.inflight.size;
  }

  register(reg: Registration): Promise<RegistrationResult> {
    if (this.halted) {
      this.skipped.push({ type: reg.type, name: reg.name });
      this.env.log(`skip ${label(reg)}: an earlier step failed`);
      return never(); // like the engine, which stops at the first error: nothing depending on this runs
    }
    const op = this.step(reg);
    const tracked = op.catch((e: unknown) => this.fail(reg, e));
    this.inflight.add(tracked);
    void tracked.then(() => this.inflight.delete(tracked));
    // A rejected registration makes every dependent Output reject, unhandled: leave it pending instead.
    return op.catch(() => never());
  }

  /**
   * A function call, performed at once, in a preview as in an update (source_eval.go, resmon.Invoke: the
   * engine calls the provider whatever the mode; steps do not wait for it, nor it for them). The real engine
   * returns a failure to the program, whose rejected Outputs the Node language host reports as a program error
   * (sdk/nodejs/cmd/run/run.ts, uncaughtHandler on unhandledRejection), so the deployment fails. Here the
   * failure is recorded, which fails the deployment and stops new steps, and the call is left pending like a
   * failed registration: a rejection would surface as unhandled rejections of every Output built on it, which
   * jest charges to the test, and jest keeps process events from the stand-in. Deviation: a program that
   * catches the error would succeed for real, and fails here; one awaiting the call is no longer waited for.
   */
  invoke(token: string, args: Record<string, any>, provider: string): Promise<Record<string, any>> {
    const what = { type: token, name: "invoke" };
    if (this.halted) {
      this.skipped.push(what);
      this.env.log(`skip invoke ${token}: an earlier step failed`);
      return never();
    }
    const op = provider ?
      Promise.reject(new Error(`invoke ${token}: the stand-in engine does not model explicit providers for functions (${provider})`)) :
      this.env.invoke(token, args);
    const tracked = op.catch((e: unknown) => this.fail(what, e));
    this.inflight.add(tracked);
    void tracked.then(() => this.inflight.delete(tracked));
    return op.catch(() => never());
  }

  registerOutputs(urn: string, outputs: Record<string, any>): void {
    const r = this.state.resources.get(urn);
    if (r) r.outputs = outputs;
  }

  /** A registration the SDK abandoned (an input or dependency rejected: abandoned.ts): the program failed. */
  abandoned(r: { type: string; name: string }, e: unknown): void {
    this.fail(r, e);
  }

  private fail(r: { type: string; name: string }, e: unknown): void {
    const message = e instanceof Error ? e.message : String(e);
    this.failures.push({ type: r.type, name: r.name, message });
    this.halted = true;
    this.stop();
    this.env.log(`FAILED ${label(r)}: ${message.split("\n")[0]}`);
  }

  private async step(reg: Registration): Promise<RegistrationResult> {
    if (this.registered.has(reg.urn)) throw new Error(`duplicate resource URN ${reg.urn}`);
    this.registered.add(reg.urn);
    const old = this.adoptAlias(reg);
    const base = { urn: reg.urn, type: reg.type, name: reg.name };

    if (!reg.custom) {
      const inputs = applyIgnoreChanges(reg.ignoreChanges, old?.inputs, reg.inputs);
      this.plan.push({ ...base, op: old ? "same" : "create" });
      this.state.resources.set(reg.urn, stepState(reg, inputs, "", old?.outputs ?? {}));
      return { urn: reg.urn, id: "", outputs: inputs };
    }
    // A dependent deleted ahead of a delete-before-replace is recreated without a diff, from the program's
    // inputs (continueStepsFromImport: `recreating`, Check with goal.Properties; "Case 1: recreating").
    if (this.deletedEarly.has(reg.urn)) return this.create(reg, reg.inputs);
    if (!old) {
      this.plan.push({ ...base, op: "create" });
      return this.create(reg, reg.inputs);
    }
    if (old.initErrors) {
      throw new Error(`${label(reg)} is in state from a create that failed part-way (${old.initErrors.join("; ")}); ` +
        "the stand-in engine does not model retrying it: destroy the stack and deploy again");
    }
    if (providerUrn(old.provider) !== providerUrn(reg.provider)) {
      throw new Error(`${label(reg)}: its provider changed from ${old.provider} to ${reg.provider}; the stand-in engine does not model that`);
    }
    const { diff, inputs } = decide(reg, old);
    if (diff.kind === "same") {
      this.plan.push({ ...base, op: "same" });
      this.state.resources.set(reg.urn, stepState(reg, inputs, old.id, old.outputs));
      return { urn: reg.urn, id: old.id, outputs: old.outputs };
    }
    if (diff.kind === "update") {
      this.plan.push({ ...base, op: "update", keys: diff.changed });
      const outputs = this.preview ? { ...old.outputs, ...inputs } :
        keepInputSecrets(await this.env.performer(reg.type).update(old, this.target(reg, inputs), diff.changed), inputs);
      this.state.resources.set(reg.urn, stepState(reg, inputs, old.id, outputs));
      return { urn: reg.urn, id: old.id, outputs };
    }
    if (!diff.deleteBeforeReplace) {
      // Create first; the old one is deleted with the other deletes, after the program finished. One pending
      // replacement is deleted a second time then: the create marks it Delete (step.go, CreateStep.Apply) and
      // GenerateDeletes gives it a NewDeleteReplacementStep, whose Apply calls the provider's Delete.
      this.plan.push({ ...base, op: "replace", keys: diff.replaceKeys });
      const result = await this.create(reg, inputs);
      this.oldHalves.push(old.pendingReplacement ? { ...old, pendingReplacement: undefined } : old);
      return result;
    }
    const pending = old.pendingReplacement ? "pending replacement: deleted by an earlier deployment" : undefined;
    this.plan.push({ ...base, op: "delete-replace", keys: diff.replaceKeys, reason: pending });
    const dependents = dependentReplacements(
      reg.urn, [...this.state.resources.values()].filter((r) => !this.registered.has(r.urn)), replacesOnChange);
    const deleting = new Set([reg.urn, ...dependents.map((d) => d.urn)]);
    for (const d of dependents) {
      this.plan.push({ op: "delete-replace", urn: d.urn, type: d.type, name: d.name, reason: `dependent of ${reg.name}` });
      this.deletedEarly.add(d.urn);
      await this.remove(d, deleting);
    }
    // Already deleted if pending: continueStepsFromDiff emits no delete step then (`if !old.PendingReplacement`).
    if (!pending) await this.remove(old, deleting);
    return this.create(reg, inputs);
  }

  /** The state of `reg` under its own URN or, failing that, under one of its aliases (then moved to the new URN). */
  private adoptAlias(reg: Registration): ResourceState | undefined {
    const own = this.state.resources.get(reg.urn);
    if (own) return own;
    const from = reg.aliasUrns.find((a) => this.state.resources.has(a));
    if (!from) return undefined;
    const old = { ...this.state.resources.get(from)!, urn: reg.urn };
    this.state.resources.delete(from);
    this.state.resources.set(reg.urn, old);
    const swap = (u: string) => (u === from ? reg.urn : u);
    for (const r of this.state.resources.values()) {
      r.parent = r.parent && swap(r.parent);
      r.dependencies = r.dependencies.map(swap);
      for (const k of Object.keys(r.propertyDependencies)) r.propertyDependencies[k] = r.propertyDependencies[k].map(swap);
      if (r.deletedWith) r.deletedWith = swap(r.deletedWith);
      if (r.provider && providerUrn(r.provider) === from) r.provider = `${reg.urn}${r.provider.slice(from.length)}`;
    }
    this.env.log(`alias ${from} → ${reg.urn}`);
    return old;
  }

  private target(reg: Registration, inputs: Record<string, any>): Target {
    const { value, secret } = unwrapSecrets(inputs);
    return { urn: reg.urn, type: reg.type, name: reg.name, provider: reg.provider, inputs: value, secret };
  }

  private async create(reg: Registration, inputs: Record<string, any>) {
    const performer = this.env.performer(reg.type);
    if (this.preview) {
      // A computed output the program set (a container's name) is known; the rest are not until the create.
      const unknown = performer.computed.filter((k) => inputs[k] === undefined);
      const outputs = { ...inputs, ...Object.fromEntries(unknown.map((k) => [k, UNKNOWN])) };
      return { urn: reg.urn, id: "", outputs };
    }
    if (containsUnknown(inputs)) throw new Error(`${label(reg)}: an input is unknown outside a preview`);
    try {
      const created = await performer.create(this.target(reg, inputs));
      const { id } = created;
      const outputs = keepInputSecrets(created.outputs, inputs);
      const r = stepState(reg, inputs, id, outputs);
      this.state.resources.set(reg.urn, r);
      this.env.created(r);
      return { urn: reg.urn, id, outputs };
    } catch (e) {
      if (e instanceof PartialCreateError) {
        const r = { ...stepState(reg, inputs, e.id, e.outputs), initErrors: [e.message.split("\n")[0]] };
        this.state.resources.set(reg.urn, r);
        this.env.created(r);
      }
      throw e;
    }
  }

  /**
   * Deletes one resource now (a delete-before-replace step, NewDeleteReplacementStep with pendingReplace),
   * honouring retainOnDelete, protect and deletedWith; the state keeps it as pending replacement.
   */
  private async remove(r: ResourceState, deleting: Set<string>): Promise<void> {
    if (!this.preview) await deleteResource(r, this.env, deleting);
    if (this.state.resources.get(r.urn) === r) this.state.resources.set(r.urn, { ...r, pendingReplacement: true });
  }

  /**
   * The final phase: deletes what the program did not register and the old halves of replacements, in layers.
   * Not run after a failure (the engine runs its post-steps only when the deployment succeeded); the old
   * halves are then kept for the next deployment, as the engine keeps them in state marked for deletion.
   */
  async finish(): Promise<void> {
    const removed = [...this.state.resources.values()].filter((r) => !this.registered.has(r.urn));
    const pending = [...this.state.pendingDeletes, ...this.oldHalves];
    if (this.halted) {
      this.state.pendingDeletes = pending;
      return;
    }
    for (const r of deleteLayers([...removed, ...this.state.pendingDeletes]).flat()) {
      const reason = r.pendingReplacement ? "pending replacement: nothing left to delete" :
        removed.includes(r) ? undefined : "left by a failed deployment";
      this.plan.push({ op: r.retainOnDelete ? "retain" : "delete", urn: r.urn, type: r.type, name: r.name, reason });
    }
    if (this.preview) return;
    const gone = new Set<ResourceState>();
    const failed = await deleteInLayers([...removed, ...pending], this.env, (r) => {
      gone.add(r);
      if (this.state.resources.get(r.urn) === r) this.state.resources.delete(r.urn);
    });
    this.state.pendingDeletes = pending.filter((r) => !gone.has(r));
    for (const f of failed) this.fail(f.r, f.error);
  }
}
