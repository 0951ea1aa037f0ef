/**
 * The provider protocol's decisions, pure (server.ts only moves them over gRPC): what Check returns, what Diff
 * answers, which outputs Create/Update return and what a Read leaves in the state. Values stay in the protocol's
 * JSON form (values.ts): secrets wrapped, unknowns as the unknown string; handlers only ever see plain values.
 */
import { ResourceHandler, ReadBack } from "./plugin";
import { diffByRule, TypeRule } from "./rules";
import { canonicalJson, containsUnknown, isSecret, keepSecrets, Props, secretValue, unwrapSecrets } from "./values";

export interface Failure {
  property: string;
  reason: string;
}

/** Check: the real provider's defaults filled in, then validation (only of known values: a preview may hold unknowns). */
export async function checkInputs(type: string, h: ResourceHandler, news: Props): Promise<{ inputs: Props; failures: Failure[] }> {
  const inputs: Props = { ...news };
  for (const [k, v] of Object.entries(h.defaults ?? {})) if (inputs[k] === undefined || inputs[k] === null) inputs[k] = v;
  const filled = h.fill ? h.fill(inputs) : inputs;
  return { inputs: filled, failures: await validate(type, h.rule, filled, (plain) => h.validate(plain)) };
}

/** Validates with `check` when every value is known; with unknowns, only the input names against the rule. */
export async function validate(type: string, rule: TypeRule, inputs: Props, check: (plain: Props) => void | Promise<void>): Promise<Failure[]> {
  try {
    if (containsUnknown(inputs)) {
      const unmodelled = Object.keys(inputs).filter((k) => !k.startsWith("__") && inputs[k] != null && rule.keys[k] === undefined);
      return unmodelled.map((k) => ({ property: k, reason: `the provider plugin does not model ${type} input '${k}'` }));
    }
    await check(unwrapSecrets(inputs).value);
    return [];
  } catch (e) {
    return [{ property: "", reason: (e as Error).message }];
  }
}

export type DiffKind = "ADD" | "ADD_REPLACE" | "DELETE" | "DELETE_REPLACE" | "UPDATE" | "UPDATE_REPLACE";

export interface DiffAnswer {
  changed: string[];
  replaces: string[];
  deleteBeforeReplace: boolean;
  detailed: Record<string, DiffKind>;
}

/**
 * The new inputs with the ignored ones reset to the old values (absent when they were absent). The engine does
 * this itself before Check on an update (pkg/resource/deploy/step_generator.go, processIgnoreChanges) but passes
 * `ignoreChanges` to Diff as well, and a refresh's diff (step.go, RefreshStep.Apply → diffResource) relies on the
 * provider to honour it. Paths below a top-level input (`labels[0]`) ignore that whole input here.
 */
export function applyIgnoreChanges(olds: Props, news: Props, ignore: readonly string[]): Props {
  const out = { ...news };
  for (const path of ignore) {
    const k = path.split(/[.[]/)[0];
    if (k in olds) out[k] = olds[k];
    else delete out[k];
  }
  return out;
}

/**
 * Diff of the old inputs against the new ones by the type's rule: the changed keys, those that replace, and
 * delete-before-replace when the rule says so (the engine still lets the program's `deleteBeforeReplace` win).
 * Computed outputs never count: only inputs are compared.
 */
export function diffInputs(what: string, rule: TypeRule, oldInputs: Props, news: Props, ignore: readonly string[] = []): DiffAnswer {
  const { changed, replaceKeys } = diffByRule(what, rule, oldInputs, applyIgnoreChanges(oldInputs, news, ignore));
  const detailed: Record<string, DiffKind> = {};
  for (const k of changed) {
    const base = oldInputs[k] === undefined ? "ADD" : news[k] === undefined ? "DELETE" : "UPDATE";
    detailed[k] = (replaceKeys.includes(k) ? `${base}_REPLACE` : base) as DiffKind;
  }
  return { changed, replaces: replaceKeys, deleteBeforeReplace: replaceKeys.length > 0 && rule.deleteBeforeReplace, detailed };
}

/** Outputs of a create or update: the computed values, the inputs echoed as they came (secrets kept), secret outputs marked. */
export function outputsOf(inputs: Props, computed: Props, secretOutputs: readonly string[] = []): Props {
  const out: Props = { ...computed };
  for (const [k, v] of Object.entries(inputs)) if (v !== undefined && v !== null && !k.startsWith("__")) out[k] = v;
  return keepSecrets(out, inputs, secretOutputs);
}

/** The computed part of a state's outputs: what is not an input. */
export function computedPart(outputs: Props, inputs: Props): Props {
  return Object.fromEntries(Object.entries(outputs).filter(([k]) => !(k in inputs)));
}

/**
 * The state after a read: every key read back that differs from the state replaces it (kept secret when it was
 * secret); every other value stays exactly as it was, so a read of an unchanged object changes nothing.
 */
export function mergeRead(inputs: Props, outputs: Props, read: ReadBack, secretOutputs: readonly string[] = []): { inputs: Props; outputs: Props } {
  const merge = (base: Props, updates: Props | undefined) => {
    const out = { ...base };
    for (const [k, v] of Object.entries(updates ?? {})) {
      if (canonicalJson(v) === canonicalJson(base[k])) continue;
      if (v === undefined) delete out[k];
      else out[k] = isSecret(base[k]) || unwrapSecrets(base[k]).secret || secretOutputs.includes(k) ? secretValue(v) : v;
    }
    return out;
  };
  const newInputs = merge(inputs, read.inputs);
  return { inputs: newInputs, outputs: merge(merge(outputs, read.inputs), read.computed) };
}
