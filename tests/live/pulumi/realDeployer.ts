/**
 * The live tests' way to run a program: the real Pulumi engine (the CLI built by tools/toolchain.sh) through the
 * Automation API, with the program inline (the engine reaches it as a language server in this process), a file
 * state backend in a temporary folder, and the provider plugins from the project's own PULUMI_HOME.
 *
 *   const d = new RealDeployer();
 *   const out = await d.deploy("stack", program);   // pulumi up, then an empty preview and an empty refresh
 *   const steps = await d.preview("stack", program); // pulumi preview: the engine's steps
 *   await d.destroy();                               // pulumi destroy of every stack it deployed, and stack rm
 *
 * After every successful deployment `preview --expect-no-changes` and `refresh --expect-no-changes` must pass:
 * a change there is drift, a bug in the component or in one of our provider plugins, and fails the deployment.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { EngineEvent, LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { changesOf, createdBy, CreatedRecord, destroyReport, failuresOf, generalErrors, PlanStep, ResourceFailure, stepsOf } from "./events";
import { checkToolchain, engineEnv, toolchainDir } from "./toolchain";
import { exportedResources, ExportedResource, importResources } from "./state";
import { holdRejections } from "./heldRejections";

export type { PlanStep, CreatedRecord, ResourceFailure } from "./events";

export class DeploymentError extends Error {
    constructor(readonly failures: ResourceFailure[], readonly general: string[], readonly output: string) {
        const lines = [...general.map((g) => `- ${g}`), ...failures.map((f) => `- ${f.type} "${f.name}": ${f.message}`)];
        super(`deployment failed:\n${(lines.length ? lines : [output.trim().split("\n").slice(-30).join("\n")]).join("\n")}`);
        this.name = "DeploymentError";
    }
}

/** An expected-empty preview or refresh that was not: drift. */
export class DriftError extends Error {
    constructor(what: "preview" | "refresh", stack: string, changes: string[]) {
        super(`${what} of stack ${stack} right after a successful deployment is not empty (drift):\n- ${changes.join("\n- ")}`);
        this.name = "DriftError";
    }
}

export interface DestroyReport {
    /** `type name` of what the engine deleted. */
    destroyed: string[];
    /** `type name` of what it left in place (retainOnDelete). */
    retained: string[];
    /** `type name` of what went with the resource it is `deletedWith`, without a delete of its own. */
    withTarget: string[];
}

export interface RealDeployerOptions {
    /** Receives the CLI's output lines (default: nothing, or the console with LIVE_VERBOSE set). */
    log?: (line: string) => void;
    /** Project name (default "etcd-cluster"). */
    project?: string;
    /** Skip the empty preview and refresh after a deployment (only for benchmarks that time the deployment alone). */
    skipNoChangeChecks?: boolean;
    /** Sees every engine event of every operation as it arrives (benchmarks time the steps with it). */
    onEvent?: (e: EngineEvent) => void;
}

type Unwrapped<T> = { [K in keyof T]: pulumi.Unwrap<T[K]> };
type Program = () => Promise<Record<string, unknown> | void> | Record<string, unknown> | void;

export interface DeployOptions {
    /** Stack configuration (`pulumi config set` of each key; objects as their JSON text, as the CLI stores them). */
    config?: Record<string, unknown>;
}

export class RealDeployer {
    /** What deployments created, in the order the engine finished them. */
    readonly created: CreatedRecord[] = [];
    /** `type name` of the resources the last deployment left as they were ("same" steps). */
    unchanged: string[] = [];
    /** The engine's steps of the last deployment or preview. */
    plan: PlanStep[] = [];

    private readonly backendDir = fs.mkdtempSync(path.join(os.tmpdir(), "etcd-live-state-"));
    private readonly stacks: string[] = [];
    private readonly log?: (line: string) => void;
    private readonly project: string;
    private command?: PulumiCommand;

    constructor(private readonly opts: RealDeployerOptions = {}) {
        checkToolchain();
        this.log = opts.log ?? (process.env.LIVE_VERBOSE ? (line) => process.stdout.write(line) : undefined);
        this.project = opts.project ?? "etcd-cluster";
    }

    /**
     * Runs one CLI operation with the program's uncaught errors kept from jest. The engine fails a deployment whose
     * program threw (the Automation API's program host listens while the program runs), but the SDK rejects every
     * Output that depended on the failed one, and those rejections can come after it stopped listening: jest would
     * charge them to whatever test runs then. They are held while the operation runs and a moment after; if the
     * operation succeeded anyway, they fail it, since a program error must never pass unseen.
     */
    private async guarded<R>(op: () => Promise<R>): Promise<R> {
        const held = holdRejections();
        let failed = false;
        try {
            return await op();
        } catch (e) {
            failed = true;
            throw e;
        } finally {
            await new Promise((r) => setTimeout(r, 200));
            const late = held.release();
            if (!failed && late.length) {
                // eslint-disable-next-line no-unsafe-finally
                throw new Error(`the program had uncaught errors although the engine reported success:\n- ${late.map(String).join("\n- ")}`);
            }
        }
    }

    /** `pulumi up`, then the no-change checks; returns the stack's outputs (secrets in plain text). */
    async deploy<T extends Record<string, unknown> | void>(
        stackName: string,
        program: () => Promise<T> | T,
        opts: DeployOptions = {},
    ): Promise<T extends Record<string, unknown> ? Unwrapped<T> : Record<string, never>> {
        const stack = await this.stack(stackName, program as Program, opts);
        const events: EngineEvent[] = [];
        try {
            const r = await this.guarded(() => stack.up({ onEvent: this.collect(events), onOutput: this.log, color: "never" }));
            const outputs = Object.fromEntries(Object.entries(r.outputs).map(([k, v]) => [k, v.value]));
            if (!this.opts.skipNoChangeChecks) await this.expectNoChanges(stack);
            return outputs as any;
        } catch (e) {
            throw this.failure(e, events);
        } finally {
            this.record(events, stackName);
        }
    }

    /** `pulumi preview`: the steps the engine would take. */
    async preview(stackName: string, program: Program, opts: DeployOptions = {}): Promise<PlanStep[]> {
        const stack = await this.stack(stackName, program, opts);
        const events: EngineEvent[] = [];
        try {
            await this.guarded(() => stack.preview({ onEvent: this.collect(events), onOutput: this.log, color: "never" }));
        } catch (e) {
            throw this.failure(e, events);
        }
        this.plan = stepsOf(events);
        return this.plan;
    }

    /** `pulumi destroy` of one stack or of every stack this deployer deployed (newest first), then `stack rm`. */
    async destroy(stackName?: string): Promise<DestroyReport> {
        const report: DestroyReport = { destroyed: [], retained: [], withTarget: [] };
        for (const name of stackName === undefined ? [...this.stacks].reverse() : [stackName]) {
            if (!this.stacks.includes(name)) continue;
            const stack = await this.stack(name, async () => undefined);
            const deletedWith = Object.fromEntries(exportedResources(await stack.exportStack()).map((r) => [r.urn, r.deletedWith]));
            const events: EngineEvent[] = [];
            try {
                await stack.destroy({ onEvent: this.collect(events), onOutput: this.log, color: "never" });
            } catch (e) {
                throw this.failure(e, events);
            }
            const r = destroyReport(events, deletedWith);
            report.destroyed.push(...r.destroyed);
            report.retained.push(...r.retained);
            report.withTarget.push(...r.withTarget);
            await stack.workspace.removeStack(name);
            this.stacks.splice(this.stacks.indexOf(name), 1);
        }
        if (this.stacks.length === 0) fs.rmSync(this.backendDir, { recursive: true, force: true });
        return report;
    }

    /** The stack's resources as its state file holds them (`pulumi stack export --show-secrets`). */
    async state(stackName: string): Promise<ExportedResource[]> {
        const stack = await this.stack(stackName, async () => undefined);
        return exportedResources(await stack.exportStack());
    }

    /**
     * Replaces the stack's state with an edited copy (`pulumi stack export`, edit, `pulumi stack import`): how a test
     * gives a stack the state an earlier version of the program wrote, to deploy today's over it.
     */
    async rewriteState(stackName: string, edit: (resources: ExportedResource[]) => ExportedResource[]): Promise<void> {
        const stack = await this.stack(stackName, async () => undefined);
        const deployment = await stack.exportStack();
        await stack.importStack(importResources(deployment, edit(exportedResources(deployment))));
    }

    private async expectNoChanges(stack: Stack): Promise<void> {
        const previewEvents: EngineEvent[] = [];
        try {
            await this.guarded(() => stack.preview({ expectNoChanges: true, onEvent: (e) => previewEvents.push(e), color: "never" }));
        } catch (e) {
            const changes = changesOf(previewEvents);
            if (changes.length) throw new DriftError("preview", stack.name, changes);
            throw e;
        }
        const refreshEvents: EngineEvent[] = [];
        try {
            await stack.refresh({ expectNoChanges: true, onEvent: (e) => refreshEvents.push(e), color: "never" });
        } catch (e) {
            const changes = changesOf(refreshEvents);
            if (changes.length) throw new DriftError("refresh", stack.name, changes);
            throw e;
        }
    }

    private collect(events: EngineEvent[]): (e: EngineEvent) => void {
        return (e) => {
            events.push(e);
            this.opts.onEvent?.(e);
        };
    }

    private record(events: EngineEvent[], stack: string): void {
        this.plan = stepsOf(events);
        this.unchanged = this.plan.filter((s) => s.op === "same").map((s) => `${s.type} ${s.name}`);
        this.created.push(...createdBy(events, stack));
    }

    private failure(e: unknown, events: EngineEvent[]): Error {
        if (e instanceof DriftError) return e;
        const output = e instanceof Error ? e.message : String(e);
        return new DeploymentError(failuresOf(events), generalErrors(events), output);
    }

    private async stack(name: string, program: Program, opts: DeployOptions = {}): Promise<Stack> {
        this.command ??= await PulumiCommand.get({ root: toolchainDir });
        // Made again after a destroy removed it: a deployer deploys again after destroying (destroy, then the same
        // program on the kept volumes).
        fs.mkdirSync(this.backendDir, { recursive: true });
        const stack = await LocalWorkspace.createOrSelectStack(
            { stackName: name, projectName: this.project, program: program as () => Promise<Record<string, unknown>> },
            {
                pulumiCommand: this.command,
                envVars: engineEnv(),
                projectSettings: { name: this.project, runtime: "nodejs", backend: { url: `file://${this.backendDir}` } },
            },
        );
        if (!this.stacks.includes(name)) this.stacks.push(name);
        if (opts.config) {
            const text = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));
            await stack.setAllConfig(Object.fromEntries(Object.entries(opts.config).map(([k, v]) => [k, { value: text(v) }])));
        }
        return stack;
    }
}
