/**
 * Property values as the Node SDK sends them over RPC (pulumi/pulumi `sdk/nodejs/runtime/rpc.ts`): secrets are
 * objects tagged with a signature, unknowns (only in a preview) a fixed string.
 */
export const SPECIAL_SIG = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
export const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
/** rpc.ts `unknownValue`: what a not-yet-known value is sent as, and what a preview returns for computed outputs. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export const secretValue = (value: unknown) => ({ [SPECIAL_SIG]: SECRET_SIG, value });

/** Removes the secret wrappers; reports whether any was found. Resource references are refused (not modelled). */
export function unwrapSecrets(v: any): { value: any; secret: boolean } {
  let secret = false;
  const walk = (x: any): any => {
    if (Array.isArray(x)) return x.map(walk);
    if (x && typeof x === "object") {
      if (x[SPECIAL_SIG] === SECRET_SIG) {
        secret = true;
        return walk(x.value);
      }
      if (x[SPECIAL_SIG] === RESOURCE_SIG) {
        throw new Error(`the stand-in engine does not model resource references as inputs (${x.urn})`);
      }
      const o: any = {};
      for (const [k, val] of Object.entries(x)) o[k] = walk(val);
      return o;
    }
    return x;
  };
  return { value: walk(v), secret };
}

/**
 * A provider's outputs, with each top-level output that echoes an input holding a secret made secret as a
 * whole. pulumi-command does this (pulumi-go-provider v1.3.0 `infer/resource.go`, ensureDefaultSecrets: an
 * output field is secret when the input field of the same name is), as does the engine for providers that
 * cannot take secrets (pulumi/pulumi `pkg/resource/plugin/provider_plugin.go`, annotateSecrets). The bridged
 * providers (docker, random, tls) are held to the same rule without that having been checked in the bridge:
 * it can only keep a value secret, never expose one. Other outputs (a command's stdout) stay as they are.
 */
export function keepInputSecrets(outputs: Record<string, any>, inputs: Record<string, any>): Record<string, any> {
  const out = { ...outputs };
  for (const [k, v] of Object.entries(inputs)) {
    if (k in out && unwrapSecrets(v).secret && !unwrapSecrets(out[k]).secret) out[k] = secretValue(out[k]);
  }
  return out;
}

export function containsUnknown(v: unknown): boolean {
  if (v === UNKNOWN) return true;
  if (Array.isArray(v)) return v.some(containsUnknown);
  if (v && typeof v === "object") return Object.values(v).some(containsUnknown);
  return false;
}

/** JSON with object keys sorted and secret wrappers removed, so equal values compare equal as text. */
export function canonicalJson(v: unknown): string {
  const sort = (x: any): any => Array.isArray(x) ? x.map(sort) :
    x && typeof x === "object" ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, sort(x[k])])) : x;
  return JSON.stringify(sort(unwrapSecrets(v).value)) ?? "undefined";
}

/**
 * The `ignoreChanges` option: for each ignored property the old input is kept, and one absent from the old
 * inputs is dropped from the new ones (pulumi/pulumi `pkg/resource/deploy/step_generator.go`, processIgnoreChanges,
 * which copies the old value at each path into the new inputs). Only top-level property names are modelled.
 */
export function applyIgnoreChanges(
  ignore: string[],
  olds: Record<string, any> | undefined,
  news: Record<string, any>,
): Record<string, any> {
  if (!olds || ignore.length === 0) return news;
  const out = { ...news };
  for (const p of ignore) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(p)) {
      throw new Error(`the stand-in engine models ignoreChanges on top-level properties only, not '${p}'`);
    }
    if (p in olds) out[p] = olds[p];
    else delete out[p];
  }
  return out;
}
