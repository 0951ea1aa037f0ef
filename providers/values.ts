/**
 * Property values as they cross the provider protocol, in the JSON form of google.protobuf.Struct that the engine
 * and the SDKs use (pulumi/pulumi `sdk/go/common/resource/plugin/rpc.go`, MarshalPropertyValue; the Node SDK's
 * `sdk/nodejs/runtime/rpc.ts`): a secret is an object tagged with a signature, an unknown (only in a preview) a
 * fixed string. A plugin that answers `acceptSecrets` gets and must return secrets in this form.
 */
export const SPECIAL_SIG = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
export const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
/** rpc.go UnknownStringValue: a value not known yet (a preview, or an output of a resource not created yet). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export type Props = Record<string, any>;

export const secretValue = (value: unknown) => ({ [SPECIAL_SIG]: SECRET_SIG, value });
export const isSecret = (v: any): boolean => !!v && typeof v === "object" && v[SPECIAL_SIG] === SECRET_SIG;

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
      if (x[SPECIAL_SIG] === RESOURCE_SIG) throw new Error(`resource references are not modelled as inputs (${x.urn})`);
      const o: any = {};
      for (const [k, val] of Object.entries(x)) o[k] = walk(val);
      return o;
    }
    return x;
  };
  return { value: walk(v), secret };
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
 * Outputs with each top-level output that echoes a secret input made secret as a whole, and the `secretOutputs`
 * (the SDK's additionalSecretOutputs for the type) made secret too. The bridge keeps an input's secretness in the
 * outputs it echoes (pulumi-terraform-bridge `pkg/tfbridge/provider.go`, Create/Update: MakeTerraformResult with
 * the inputs' secrets), and the engine only annotates secrets itself for plugins that do not accept them
 * (pulumi/pulumi `pkg/resource/plugin/provider_plugin.go`, annotateSecrets).
 */
export function keepSecrets(outputs: Props, inputs: Props, secretOutputs: readonly string[] = []): Props {
  const out = { ...outputs };
  for (const [k, v] of Object.entries(inputs)) {
    if (k in out && unwrapSecrets(v).secret && !isSecret(out[k])) out[k] = secretValue(unwrapSecrets(out[k]).value);
  }
  for (const k of secretOutputs) {
    if (out[k] !== undefined && out[k] !== null && !isSecret(out[k])) out[k] = secretValue(out[k]);
  }
  return out;
}

/** Drops undefined and null values (protobuf Structs carry null, which the SDKs read as "not set"). */
export function compact(props: Props): Props {
  return Object.fromEntries(Object.entries(props).filter(([, v]) => v !== undefined && v !== null));
}
