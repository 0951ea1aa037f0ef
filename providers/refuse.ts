/**
 * A plugin of this package models a part of its provider, the part the etcd component uses: an input it does not
 * model is refused by name, never silently ignored (a value the program set and the plugin dropped would be a
 * deployment that differs from what a user of the real provider gets).
 */
export class NotModelled extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NotModelled";
  }
}

/** Refuses input keys outside `allowed` (undefined values and the SDK's internal `__` keys are not inputs). */
export function checkKeys(what: string, inputs: Record<string, any>, allowed: readonly string[]): void {
  for (const [k, v] of Object.entries(inputs)) {
    if (v === undefined || v === null || k.startsWith("__")) continue;
    if (!allowed.includes(k)) throw new NotModelled(`the provider plugin does not model ${what} input '${k}'`);
  }
}
