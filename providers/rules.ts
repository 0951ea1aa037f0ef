/**
 * Diff rules: for each resource type a plugin performs, what a change of each input makes the real provider do.
 * Every input key of a type is classified; a changed key that is not is refused ("not modelled"), never
 * silently "same".
 *
 * - "replace": the provider's diff asks for replacement (Terraform `ForceNew` / `RequiresReplace`).
 * - "update": the provider changes the real object in place (its Update function acts on that key).
 * - "state": shown as an update, but the provider's Update makes no call for it: only the state changes, and
 *   the real object keeps the old value.
 */
import { NotModelled } from "./refuse";
import { canonicalJson, containsUnknown, Props, unwrapSecrets } from "./values";

export type KeyRule = "replace" | "update" | "state";

export interface TypeRule {
  /** Where the rule comes from. */
  source: string;
  keys: Record<string, KeyRule>;
  /** Replacement deletes the old object first unless the program says otherwise. */
  deleteBeforeReplace: boolean;
  /** Inputs the provider's schema types as sets (Terraform TypeSet): a new order of the same elements is no change. */
  sets?: readonly string[];
}

export const all = (rule: KeyRule, keys: string[]): Record<string, KeyRule> => Object.fromEntries(keys.map((k) => [k, rule]));

export interface InputDiff {
  /** Every input whose value changed, or may have (unknown in a preview). */
  changed: string[];
  /** The changed inputs that force replacement. */
  replaceKeys: string[];
}

/**
 * Top-level input keys whose values differ, compared without secret wrappers and with object key order ignored.
 * A value holding an unknown counts as changed: it may differ once known, and a key that would replace must
 * show the replacement in the preview already (the bridge does the same: pulumi-terraform-bridge
 * `pkg/tfbridge/diff.go`, an unknown planned value makes the attribute a change).
 */
export function changedKeys(olds: Props, news: Props, sets: readonly string[] = []): string[] {
  const keys = new Set([...Object.keys(olds), ...Object.keys(news)]);
  const text = (k: string, v: unknown) => {
    const plain = unwrapSecrets(v).value;
    return sets.includes(k) && Array.isArray(plain) ? canonicalJson(plain.map((e) => canonicalJson(e)).sort()) : canonicalJson(plain);
  };
  return [...keys]
    .filter((k) => !k.startsWith("__"))
    .filter((k) => containsUnknown(news[k]) || text(k, olds[k]) !== text(k, news[k]))
    .sort();
}

export function diffByRule(what: string, rule: TypeRule, olds: Props, news: Props): InputDiff {
  const changed = changedKeys(olds, news, rule.sets);
  const unknown = changed.filter((k) => rule.keys[k] === undefined);
  if (unknown.length) {
    throw new NotModelled(`the provider plugin cannot diff ${what} input${unknown.length > 1 ? "s" : ""} ` +
      `${unknown.map((k) => `'${k}'`).join(", ")} (not modelled; the rules follow ${rule.source})`);
  }
  return { changed, replaceKeys: changed.filter((k) => rule.keys[k] === "replace") };
}
