/** Which performer does each resource type, and the ones that compute values without touching a host (random, tls). */
import { Performer, ResourceState, Target } from "../engine/types";
import { secretValue } from "../engine/values";
import { randomId, randomStringResult, randomUuid } from "../randomValues";
import { certRequest, locallySignedCert, privateKey, selfSignedCert, TLS_TYPES, TlsResult } from "../tlsResources";
import { checkKeys, PerformerContext, stateOnlyUpdate } from "./context";
import { command } from "./command";
import { container } from "./container";
import { dockerProvider, network, remoteImage, volume } from "./docker";

/** A resource whose value is computed here and whose delete only forgets it (random and tls providers). */
function computed(outputs: readonly string[], make: (t: Target) => Promise<{ id: string; outputs: Record<string, any> }>): Performer {
  return {
    computed: outputs,
    create: make,
    update: async (old: ResourceState, t: Target) => stateOnlyUpdate(old, t),
    delete: async () => "nothing",
  };
}

/**
 * A tls result, with the outputs the SDK lists in additionalSecretOutputs marked secret: the monitor's
 * response carries no such option, so without this a private key would come back as a plain Output.
 */
function tls(ctx: PerformerContext, outputs: string[], make: (inputs: Record<string, any>) => TlsResult | Promise<TlsResult>) {
  return computed(outputs, async (t) => {
    const r = await make(t.inputs);
    ctx.log(`[local] tls ${t.type.split(":").pop()} ${t.name}: ${r.summary}`);
    const outputs: Record<string, any> = { ...r.state };
    for (const k of r.secretOutputs) if (outputs[k] !== undefined) outputs[k] = secretValue(outputs[k]);
    return { id: r.id, outputs };
  });
}

const KEY_OUTPUTS = [
  "privateKeyPem", "privateKeyPemPkcs8", "privateKeyOpenssh", "publicKeyPem", "publicKeyOpenssh",
  "publicKeyFingerprintMd5", "publicKeyFingerprintSha256",
];
const CERT_OUTPUTS = ["certPem", "validityStartTime", "validityEndTime", "readyForRenewal"];

export function performers(ctx: PerformerContext): Record<string, Performer> {
  const randomString = (type: string) => computed(["result"], async (t) => {
    const result = randomStringResult(type, t.inputs);
    // RandomPassword's bcryptHash is not produced (no bcrypt in node:crypto); it stays undefined.
    return { id: type === "RandomPassword" ? "none" : result, outputs: { ...t.inputs, result } };
  });
  return {
    "pulumi:providers:docker": dockerProvider(ctx),
    "docker:index/remoteImage:RemoteImage": remoteImage(ctx),
    "docker:index/volume:Volume": volume(ctx),
    "docker:index/network:Network": network(ctx),
    "docker:index/container:Container": container(ctx),
    "command:local:Command": command(ctx, "local"),
    "command:remote:Command": command(ctx, "remote"),
    "random:index/randomId:RandomId": computed(["hex", "b64Std", "b64Url", "dec"], async (t) => {
      const r = randomId(t.inputs);
      return { id: r.id, outputs: r.state };
    }),
    "random:index/randomString:RandomString": randomString("RandomString"),
    "random:index/randomPassword:RandomPassword": randomString("RandomPassword"),
    "random:index/randomUuid:RandomUuid": computed(["result"], async (t) => {
      const r = randomUuid(t.inputs);
      return { id: r.id, outputs: r.state };
    }),
    "pulumi:providers:tls": computed([], async (t) => {
      checkKeys("tls Provider", t.inputs, ["proxy", "version", "pluginDownloadURL"]);
      if (t.inputs.proxy !== undefined) throw new Error("the live deployer does not support tls Provider input 'proxy'");
      return { id: `${t.name}-tls`, outputs: { ...t.inputs } };
    }),
    [TLS_TYPES.privateKey]: tls(ctx, KEY_OUTPUTS, privateKey),
    [TLS_TYPES.selfSignedCert]: tls(ctx, CERT_OUTPUTS, (i) => selfSignedCert(i)),
    [TLS_TYPES.certRequest]: tls(ctx, ["certRequestPem"], certRequest),
    [TLS_TYPES.locallySignedCert]: tls(ctx, CERT_OUTPUTS, (i) => locallySignedCert(i)),
  };
}
