/**
 * What one registration of a resource already in the state becomes, and what the state keeps after its step:
 * pure rules, so that each has a table row (engine.test.ts). The sequence follows pulumi/pulumi
 * `pkg/resource/deploy/step_generator.go`: continueStepsFromImport (ignoreChanges, then Check), then
 * generateStepsFromDiff → diff → continueStepsFromDiff (same, update or replace).
 */
import { Diff, diffInputs } from "./diff";
import { Registration, ResourceState } from "./types";
import { applyIgnoreChanges, unwrapSecrets } from "./values";

export interface Decision {
  diff: Diff;
  /** The inputs the step performs with and the state records. */
  inputs: Record<string, any>;
}

/**
 * - The diff sees the program's inputs with each `ignoreChanges` property reset to its old value
 *   (continueStepsFromImport: `processIgnoreChanges(..., inputs, old.Inputs, goal.IgnoreChanges)` before Check).
 * - Only inputs are diffed: the provider's Diff gets old and new inputs and old outputs, nothing of
 *   `dependsOn`, parent or options (diff / diffResource), so a registration whose inputs are unchanged is a
 *   same step whatever its dependencies became (continueStepsFromDiff: no steps → NewSameStep).
 * - Same and update go on with those inputs. A replacement does not: continueStepsFromDiff calls Check again
 *   with `goal.Properties`, the program's inputs as registered ("we need to recompute the default values"),
 *   and the new resource is created from them, so an ignored input takes the program's value when the
 *   resource is replaced for another reason. (pulumi/pulumi#2657, which added ignoreChanges: "The property
 *   values will be used for Create".)
 */
export function decide(reg: Registration, old: ResourceState): Decision {
  const ignored = applyIgnoreChanges(reg.ignoreChanges, old.inputs, reg.inputs);
  const diff = diffInputs(reg.type, unwrapSecrets(old.inputs).value, unwrapSecrets(ignored).value, reg);
  // A resource deleted by an unfinished delete-before-replace is replaced whatever its diff
  // (continueStepsFromDiff: `if diff.Replace() || triggerReplace || old.PendingReplacement`).
  if (old.pendingReplacement) diff.kind = "replace";
  return { diff, inputs: diff.kind === "replace" ? reg.inputs : ignored };
}

/**
 * The state a step leaves: everything from the registration (dependencies, property dependencies, parent,
 * provider, options), with the step's inputs, id and outputs. A same step takes the old id and outputs and
 * keeps the rest new (step.go, SameStep.Apply: `s.new.ID = s.old.ID; s.new.Outputs = s.old.Outputs`), so a
 * changed `dependsOn` is recorded without any provider call.
 */
export function stepState(reg: Registration, inputs: Record<string, any>, id: string, outputs: Record<string, any>): ResourceState {
  return {
    urn: reg.urn, type: reg.type, name: reg.name, custom: reg.custom, id, parent: reg.parent, provider: reg.provider,
    inputs, outputs, dependencies: reg.dependencies, propertyDependencies: reg.propertyDependencies,
    retainOnDelete: reg.retainOnDelete, protect: reg.protect, deletedWith: reg.deletedWith,
  };
}
