/** Real values for @pulumi/random resources, from node:crypto, shaped like the random provider's outputs. */
import { randomBytes, randomInt, randomUUID } from "node:crypto";
import { checkKeys } from "../refuse";

export function randomId(inputs: Record<string, any>): { id: string; state: Record<string, any> } {
  checkKeys("RandomId", inputs, ["byteLength", "prefix", "keepers"]);
  const n = Number(inputs.byteLength);
  if (!Number.isInteger(n) || n < 1) throw new Error(`RandomId byteLength must be a positive integer, got ${inputs.byteLength}`);
  const bytes = randomBytes(n);
  const prefix = inputs.prefix ?? "";
  const b64Url = bytes.toString("base64url");
  return {
    id: b64Url,
    state: {
      ...inputs,
      hex: prefix + bytes.toString("hex"),
      b64Std: prefix + bytes.toString("base64"),
      b64Url: prefix + b64Url,
      dec: prefix + BigInt("0x" + bytes.toString("hex")).toString(10),
    },
  };
}

const DEFAULT_SPECIAL = "!@#$%&*()-_=+[]{}<>:?";

/** RandomString / RandomPassword `result` (the provider's rules: each class on by default, min* honoured). */
export function randomStringResult(type: string, inputs: Record<string, any>): string {
  checkKeys(type, inputs, [
    "length", "special", "upper", "lower", "numeric", "number",
    "minUpper", "minLower", "minNumeric", "minSpecial", "overrideSpecial", "keepers",
  ]);
  const length = Number(inputs.length);
  if (!Number.isInteger(length) || length < 1) throw new Error(`${type} length must be a positive integer`);
  const numericOn = inputs.numeric ?? inputs.number ?? true;
  const classes: { chars: string; min: number }[] = [];
  if (inputs.upper ?? true) classes.push({ chars: "ABCDEFGHIJKLMNOPQRSTUVWXYZ", min: Number(inputs.minUpper ?? 0) });
  if (inputs.lower ?? true) classes.push({ chars: "abcdefghijklmnopqrstuvwxyz", min: Number(inputs.minLower ?? 0) });
  if (numericOn) classes.push({ chars: "0123456789", min: Number(inputs.minNumeric ?? 0) });
  if (inputs.special ?? true) classes.push({ chars: inputs.overrideSpecial ?? DEFAULT_SPECIAL, min: Number(inputs.minSpecial ?? 0) });
  const all = classes.map((c) => c.chars).join("");
  if (all.length === 0) throw new Error(`${type}: every character class is disabled`);
  const chars: string[] = [];
  for (const c of classes) for (let i = 0; i < c.min; i++) chars.push(c.chars[randomInt(c.chars.length)]);
  if (chars.length > length) throw new Error(`${type}: the min* counts exceed length ${length}`);
  while (chars.length < length) chars.push(all[randomInt(all.length)]);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j], chars[i]];
  }
  return chars.join("");
}

export function randomUuid(inputs: Record<string, any>): { id: string; state: Record<string, any> } {
  checkKeys("RandomUuid", inputs, ["keepers"]);
  const result = randomUUID();
  return { id: result, state: { ...inputs, result } };
}
