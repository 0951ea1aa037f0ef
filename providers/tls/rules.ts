/** Diff rules of the tls types the component uses (see ../rules.ts for what each rule means). */
import { all, TypeRule } from "../rules";

/** @pulumi/tls 5.x bridges hashicorp/terraform-provider-tls v4.x. */
const TLS = "https://github.com/hashicorp/terraform-provider-tls/blob/v4.2.1/internal/provider (RequiresReplace on every " +
  "argument but early_renewal_hours, which only changes state)";

const tls = (keys: string[]): TypeRule => ({
  source: TLS,
  deleteBeforeReplace: false,
  keys: { ...all("replace", keys), earlyRenewalHours: "state" },
});
const CERT_KEYS = ["validityPeriodHours", "allowedUses", "isCaCertificate", "setSubjectKeyId", "maxPathLength"];

export const privateKeyRule = tls(["algorithm", "rsaBits", "ecdsaCurve"]);
export const selfSignedCertRule = tls(["privateKeyPem", "subject", "dnsNames", "ipAddresses", "uris", "setAuthorityKeyId", ...CERT_KEYS]);
export const certRequestRule = tls(["privateKeyPem", "subject", "dnsNames", "ipAddresses", "uris"]);
export const locallySignedCertRule = tls(["certRequestPem", "caPrivateKeyPem", "caCertPem", ...CERT_KEYS]);
