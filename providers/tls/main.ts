/**
 * The `tls` provider plugin (package tls 5.6.1, the version @pulumi/tls 5.6.1 asks for): PrivateKey (ECDSA P-256,
 * the only key the component makes), SelfSignedCert, CertRequest and LocallySignedCert, built the way
 * hashicorp/terraform-provider-tls builds them (tlsResources.ts). Every argument replaces, early_renewal_hours
 * only changes the state; Read keeps the state and a delete only forgets it, as in the real provider.
 */
import { ProviderPlugin, ResourceHandler } from "../plugin";
import { checkKeys } from "../refuse";
import { all, TypeRule } from "../rules";
import { serve } from "../server";
import { computedPart } from "../protocol";
import { Props } from "../values";
import { certRequest, locallySignedCert, privateKey, selfSignedCert, TlsResult } from "./tlsResources";
import { certRequestRule, locallySignedCertRule, privateKeyRule, selfSignedCertRule } from "./rules";

function tlsHandler(rule: TypeRule, make: (inputs: Props) => TlsResult | Promise<TlsResult>, extra: Partial<ResourceHandler> = {}): ResourceHandler {
  return {
    rule,
    // Building the value is the validation: it refuses what the real provider refuses (and is cheap).
    validate: async (inputs) => void (await make(inputs)),
    async create(inputs) {
      const r = await make(inputs);
      return { id: r.id, computed: computedPart(r.state, inputs) };
    },
    ...extra,
  };
}

const certDefaults = { earlyRenewalHours: 0, isCaCertificate: false, setSubjectKeyId: false };

export function tlsPlugin(): ProviderPlugin {
  return {
    name: "tls",
    version: "5.6.1",
    configRule: { source: "terraform-provider-tls: proxy settings only", deleteBeforeReplace: false, keys: all("update", ["version", "pluginDownloadURL"]) },
    validateConfig: (config) => checkKeys("tls Provider", config, ["version", "pluginDownloadURL"]),
    async configure() {},
    resources: {
      "tls:index/privateKey:PrivateKey": tlsHandler(privateKeyRule, privateKey, {
        // The schema's defaults (resource_private_key.go): RSA 2048 bits, ECDSA P224.
        defaults: { rsaBits: 2048, ecdsaCurve: "P224" },
        secretOutputs: ["privateKeyOpenssh", "privateKeyPem", "privateKeyPemPkcs8"],
      }),
      "tls:index/selfSignedCert:SelfSignedCert": tlsHandler(selfSignedCertRule, (i) => selfSignedCert(i), {
        defaults: { ...certDefaults, setAuthorityKeyId: false },
        secretOutputs: ["privateKeyPem"],
      }),
      "tls:index/certRequest:CertRequest": tlsHandler(certRequestRule, certRequest, { secretOutputs: ["privateKeyPem"] }),
      "tls:index/locallySignedCert:LocallySignedCert": tlsHandler(locallySignedCertRule, (i) => locallySignedCert(i), {
        defaults: certDefaults,
        secretOutputs: ["caPrivateKeyPem"],
      }),
    },
  };
}

if (require.main === module) {
  serve(tlsPlugin(), process.argv.slice(2)).catch((e) => {
    process.stderr.write(`tls provider plugin: ${e?.stack ?? e}\n`);
    process.exit(1);
  });
}
