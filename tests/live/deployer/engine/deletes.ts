/**
 * Delete ordering: resources are deleted in layers, each layer only once nothing still to be deleted depends on
 * its members, and every member of a layer at the same time (pulumi/pulumi `pkg/resource/deploy/step_generator.go`,
 * ScheduleDeletes, over the dependency graph of `pkg/resource/graph/dependency_graph.go`: a resource depends on
 * its parent, its provider, its `dependsOn` and property dependencies and its `deletedWith` target).
 */
import type { EngineEnv } from "./engine";
import { ResourceState } from "./types";

const label = (r: { type: string; name: string }) => `${r.type} ${r.name}`;

/** The URN part of a provider reference `<urn>::<id>`. */
export function providerUrn(ref: string | undefined): string | undefined {
  if (!ref) return undefined;
  const i = ref.lastIndexOf("::");
  return i < 0 ? ref : ref.slice(0, i);
}

/** Every URN `r` depends on. */
export function dependenciesOf(r: ResourceState): Set<string> {
  const deps = new Set<string>(r.dependencies);
  for (const urns of Object.values(r.propertyDependencies)) urns.forEach((u) => deps.add(u));
  if (r.parent) deps.add(r.parent);
  const p = providerUrn(r.provider);
  if (p) deps.add(p);
  if (r.deletedWith) deps.add(r.deletedWith);
  deps.delete(r.urn);
  return deps;
}

/** Splits `items` into delete layers: dependents before what they depend on; within a layer, registration order reversed. */
export function deleteLayers(items: ResourceState[]): ResourceState[][] {
  let left = [...items].reverse();
  const layers: ResourceState[][] = [];
  while (left.length) {
    const needed = new Set<string>();
    for (const r of left) dependenciesOf(r).forEach((u) => needed.add(u));
    const layer = left.filter((r) => !needed.has(r.urn));
    if (layer.length === 0) throw new Error(`dependency cycle among ${left.map((r) => r.urn).join(", ")}`);
    layers.push(layer);
    left = left.filter((r) => !layer.includes(r));
  }
  return layers;
}

/**
 * What a delete-before-replace of `replaced` must delete first (pulumi/pulumi step_generator.go,
 * calculateDependentReplacements): a resource whose property dependency on a resource being replaced feeds an
 * input that its provider would replace it for (asked with that input unknown), whose provider is being
 * replaced, or that is `deletedWith` one. A plain `dependsOn` never cascades (pulumi/pulumi#838). The search
 * is transitive. Returned in the order they are deleted (dependents of dependents first).
 */
export function dependentReplacements(
  replaced: string,
  state: ResourceState[],
  replacesOnChange: (type: string, key: string) => boolean,
): ResourceState[] {
  const set = new Set([replaced]);
  const found: ResourceState[] = [];
  for (let grew = true; grew;) {
    grew = false;
    for (const r of state) {
      if (set.has(r.urn)) continue;
      const byProperty = Object.entries(r.propertyDependencies)
        .some(([key, urns]) => urns.some((u) => set.has(u)) && replacesOnChange(r.type, key));
      const byProvider = set.has(providerUrn(r.provider) ?? "");
      const byDeletedWith = r.deletedWith !== undefined && set.has(r.deletedWith);
      if (byProperty || byProvider || byDeletedWith) {
        set.add(r.urn);
        found.push(r);
        grew = true;
      }
    }
  }
  return deleteLayers(found).flat();
}

/**
 * One delete (pulumi/pulumi step_generator.go, GenerateDeletes; step.go, DeleteStep.Apply): protect refuses,
 * retainOnDelete forgets, and one `deletedWith` a resource this operation deletes too makes no call of its own
 * (isDeletedWith over the operation's deletes, `deleting`).
 */
export async function deleteResource(r: ResourceState, env: EngineEnv, deleting: Set<string>): Promise<void> {
  if (r.protect) {
    throw new Error(`${label(r)} is protected: the engine refuses to delete it (unprotect it with \`pulumi state unprotect\` first)`);
  }
  if (r.retainOnDelete) {
    env.log(`retain ${label(r)}: retainOnDelete, forgotten without being deleted`);
    env.deleted(r, "retained");
    return;
  }
  if (r.deletedWith && deleting.has(r.deletedWith)) {
    env.log(`${label(r)}: deleted with ${r.deletedWith}, no delete of its own`);
    env.deleted(r, "nothing");
    return;
  }
  const outcome = r.custom ? await env.performer(r.type).delete(r) : "nothing";
  env.deleted(r, outcome);
}

/**
 * Deletes `items` in layers, each layer in parallel; a layer's failures stop the layers after it. One pending
 * replacement was deleted already: it is only forgotten (GenerateDeletes: NewRemovePendingReplaceStep).
 */
export async function deleteInLayers(
  items: ResourceState[],
  env: EngineEnv,
  done: (r: ResourceState) => void,
): Promise<{ r: ResourceState; error: unknown }[]> {
  const failed: { r: ResourceState; error: unknown }[] = [];
  const deleting = new Set(items.map((r) => r.urn));
  for (const layer of deleteLayers(items)) {
    await Promise.all(layer.map(async (r) => {
      try {
        if (!r.pendingReplacement) await deleteResource(r, env, deleting);
        done(r);
      } catch (error) {
        failed.push({ r, error });
      }
    }));
    if (failed.length) break;
  }
  return failed;
}
