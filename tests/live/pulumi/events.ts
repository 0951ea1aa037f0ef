/**
 * What the live tests read from the real engine's event stream (`pulumi up/preview/destroy --event-log`, which the
 * Automation API hands to `onEvent`): the steps in the order the engine took them, what was created, and the
 * errors it reported per resource. Pure functions over the events, so they are unit-tested on recorded streams.
 */
import type { EngineEvent, OpType, StepEventMetadata } from "@pulumi/pulumi/automation";

/** One step of a deployment or preview, as the engine reported it (its own op names: "create-replacement", …). */
export interface PlanStep {
    op: OpType;
    urn: string;
    type: string;
    name: string;
    /** Inputs whose change the provider reported (`keys`, or `diffs` where the provider gave no keys). */
    keys?: string[];
}

/** One thing a deployment created (a create, or the new half of a replacement). */
export interface CreatedRecord {
    type: string;
    name: string;
    urn: string;
    id: string;
    stack: string;
    /** Container/volume/network/image name where it has one. */
    resourceName?: string;
}

export interface ResourceFailure {
    type: string;
    name: string;
    message: string;
}

export const urnName = (urn: string): string => urn.slice(urn.lastIndexOf("::") + 2);

/** The type of a URN's resource (its last `$`-separated type segment). */
export const urnType = (urn: string): string => {
    const parts = urn.split("::");
    return (parts[2] ?? "").split("$").pop() ?? "";
};

const step = (m: StepEventMetadata): PlanStep => {
    const keys = m.keys?.length ? m.keys : m.diffs?.length ? m.diffs : undefined;
    return { op: m.op, urn: m.urn, type: m.type, name: urnName(m.urn), ...(keys ? { keys } : {}) };
};

/**
 * The steps, in the order the engine started them. The stack resource itself is left out, and so are the
 * engine's logical "replace" markers only where it also reported the physical halves.
 */
export function stepsOf(events: EngineEvent[]): PlanStep[] {
    return events
        .map((e) => e.resourcePreEvent?.metadata)
        .filter((m): m is StepEventMetadata => m !== undefined && m.type !== "pulumi:pulumi:Stack")
        .map(step);
}

/** What the steps that finished created, with the provider's id. */
export function createdBy(events: EngineEvent[], stack: string): CreatedRecord[] {
    return events
        .map((e) => e.resOutputsEvent?.metadata)
        .filter((m): m is StepEventMetadata => m !== undefined && (m.op === "create" || m.op === "create-replacement"))
        .filter((m) => m.type !== "pulumi:pulumi:Stack")
        .map((m) => {
            const name = m.new?.outputs?.name;
            return {
                type: m.type, name: urnName(m.urn), urn: m.urn, id: m.new?.id ?? "", stack,
                ...(m.type.startsWith("docker:") && typeof name === "string" ? { resourceName: name } : {}),
            };
        });
}

/** Error diagnostics the engine attached to a resource, one per resource, newest text kept whole. */
export function failuresOf(events: EngineEvent[]): ResourceFailure[] {
    const byUrn = new Map<string, string>();
    for (const e of events) {
        const d = e.diagnosticEvent;
        if (!d || d.severity !== "error" || !d.urn) continue;
        byUrn.set(d.urn, [byUrn.get(d.urn), d.message.trim()].filter(Boolean).join("\n"));
    }
    return [...byUrn].map(([urn, message]) => ({ type: urnType(urn), name: urnName(urn), message }));
}

/** Error diagnostics that name no resource (the program threw, the engine refused something). */
export function generalErrors(events: EngineEvent[]): string[] {
    return events.map((e) => e.diagnosticEvent).filter((d) => d && d.severity === "error" && !d.urn).map((d) => d!.message.trim());
}

/** `op type name [keys]` of every step that is not "same": what an expected-empty preview or refresh changed. */
export function changesOf(events: EngineEvent[]): string[] {
    return stepsOf(events)
        .filter((s) => s.op !== "same")
        .map((s) => `${s.op} ${s.type} ${s.name}${s.keys ? ` [${s.keys.join(", ")}]` : ""}`);
}

/**
 * `type name` of what a destroy deleted; of what it left in place because the resource says retainOnDelete; and of
 * what had no delete of its own because the resource it is `deletedWith` went in the same operation (the engine
 * then skips the provider's Delete: pulumi/pulumi `pkg/resource/deploy/step.go`, DeleteStep.Apply). The events do
 * not carry `deletedWith`, so it comes from the state as it was before (`deletedWith` by URN).
 */
export function destroyReport(events: EngineEvent[], deletedWith: Record<string, string | undefined> = {}): {
    destroyed: string[]; retained: string[]; withTarget: string[];
} {
    const done = events.map((e) => e.resOutputsEvent?.metadata).filter((m): m is StepEventMetadata => m?.op === "delete");
    const gone = new Set(done.map((m) => m.urn));
    const what = (m: StepEventMetadata) => `${m.type} ${urnName(m.urn)}`;
    const skipped = (m: StepEventMetadata) => m.old?.retainOnDelete !== true && gone.has(deletedWith[m.urn] ?? "");
    return {
        destroyed: done.filter((m) => m.old?.retainOnDelete !== true && !skipped(m)).map(what),
        retained: done.filter((m) => m.old?.retainOnDelete === true).map(what),
        withTarget: done.filter(skipped).map(what),
    };
}

/** One replacement the engine planned or made, as its steps show it. */
export interface Replacement {
    name: string;
    /** The inputs that forced it (the logical `replace` step's keys). */
    keys: string[];
    /** The old one deleted before the new one was created (delete-before-replace). */
    deleteFirst: boolean;
}

/**
 * The replacements of resources of one type, in the order the engine started them. The engine reports each as a
 * logical `replace` step between its two physical halves: `delete-replaced` before `create-replacement` when the
 * old one goes first, the other way round otherwise (pulumi/pulumi `step_generator.go`, and the old half of a
 * create-first replacement is deleted after the program).
 */
export function replacements(plan: PlanStep[], type: string): Replacement[] {
    const at = (name: string, op: string) => plan.findIndex((s) => s.type === type && s.name === name && s.op === op);
    return plan.filter((s) => s.type === type && s.op === "replace").map((s) => {
        const del = at(s.name, "delete-replaced");
        const create = at(s.name, "create-replacement");
        return { name: s.name, keys: s.keys ?? [], deleteFirst: del >= 0 && (create < 0 || del < create) };
    });
}
