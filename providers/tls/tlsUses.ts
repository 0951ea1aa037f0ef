/**
 * The tls provider's `allowed_uses` values: key usages and extended key usages (terraform-provider-tls
 * `keyUsages` / `extendedKeyUsages`), in the provider's snake_case names.
 */
import { KeyUsageFlags } from "@peculiar/asn1-x509";

// ---------------------------------------------------------------- allowed uses

/** terraform-provider-tls `keyUsages` → KeyUsageFlags names (the same as OpenSSL's). */
export const KEY_USAGES: Record<string, keyof typeof KeyUsageFlags> = {
  digital_signature: "digitalSignature",
  content_commitment: "nonRepudiation",
  key_encipherment: "keyEncipherment",
  data_encipherment: "dataEncipherment",
  key_agreement: "keyAgreement",
  cert_signing: "keyCertSign",
  crl_signing: "cRLSign",
  encipher_only: "encipherOnly",
  decipher_only: "decipherOnly",
};

/** terraform-provider-tls `extendedKeyUsages` → OIDs (Go's x509.ExtKeyUsage values). */
export const EXT_KEY_USAGES: Record<string, string> = {
  any_extended: "2.5.29.37.0",
  server_auth: "1.3.6.1.5.5.7.3.1",
  client_auth: "1.3.6.1.5.5.7.3.2",
  code_signing: "1.3.6.1.5.5.7.3.3",
  email_protection: "1.3.6.1.5.5.7.3.4",
  ipsec_end_system: "1.3.6.1.5.5.7.3.5",
  ipsec_tunnel: "1.3.6.1.5.5.7.3.6",
  ipsec_user: "1.3.6.1.5.5.7.3.7",
  timestamping: "1.3.6.1.5.5.7.3.8",
  ocsp_signing: "1.3.6.1.5.5.7.3.9",
  microsoft_server_gated_crypto: "1.3.6.1.4.1.311.10.3.3",
  netscape_server_gated_crypto: "2.16.840.1.113730.4.1",
  microsoft_commercial_code_signing: "1.3.6.1.4.1.311.2.1.22",
  microsoft_kernel_code_signing: "1.3.6.1.4.1.311.61.1.1",
};

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Splits allowedUses into keyUsage names and EKU OIDs (in the order given, duplicates kept out). */
export function mapAllowedUses(uses: unknown): { keyUsage: (keyof typeof KeyUsageFlags)[]; extKeyUsage: string[] } {
  if (!Array.isArray(uses)) throw new Error(`allowedUses must be a list of strings, got ${JSON.stringify(uses)}`);
  const keyUsage: (keyof typeof KeyUsageFlags)[] = [];
  const extKeyUsage: string[] = [];
  for (const u of uses) {
    if (typeof u !== "string") throw new Error(`allowedUses: not a string: ${JSON.stringify(u)}`);
    if (KEY_USAGES[u]) {
      if (!keyUsage.includes(KEY_USAGES[u])) keyUsage.push(KEY_USAGES[u]);
    } else if (EXT_KEY_USAGES[u]) {
      if (!extKeyUsage.includes(EXT_KEY_USAGES[u])) extKeyUsage.push(EXT_KEY_USAGES[u]);
    } else {
      const hint = KEY_USAGES[snake(u)] || EXT_KEY_USAGES[snake(u)] ? ` (the tls provider only accepts "${snake(u)}")` : "";
      throw new Error(`allowedUses: unknown value "${u}"${hint}`);
    }
  }
  return { keyUsage, extKeyUsage };
}
