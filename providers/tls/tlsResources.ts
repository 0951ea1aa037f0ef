/**
 * Real values for @pulumi/tls resources (PrivateKey, SelfSignedCert, CertRequest, LocallySignedCert), shaped like
 * the tls provider's outputs and built the way terraform-provider-tls (which pulumi-tls wraps) builds them:
 *
 * - keys are ECDSA P-256 only (what the component makes; any other key is refused), from node:crypto, with
 *   `privateKeyPem` in SEC1 as Go's encoder writes it and the OpenSSH outputs from sshpk.
 * - CSRs and certificates are built like Go's x509.CreateCertificateRequest / CreateCertificate (see tlsFormats.ts)
 *   with validity in whole hours from now (RFC 3339, seconds precision, UTC).
 * - allowedUses → keyUsage (critical) / extendedKeyUsage, like the provider's keyUsages / extendedKeyUsages maps;
 *   basicConstraints is always present and critical (the provider sets BasicConstraintsValid); a CA certificate
 *   always gets a subject key id (SHA-1 of the public key, computed like the provider), a locally signed one gets
 *   the CA's subject key id as authority key id (Go's x509.CreateCertificate does that); a LocallySignedCert takes
 *   subject and DNS/IP/URI SANs from the CSR and nothing else from it.
 * - ids: the hex SHA-1 of the public key's / CSR's DER (the provider's hashForState), a certificate's serial number.
 *
 * Values accepted for allowedUses are the provider's (snake_case: "cert_signing", "server_auth", ...). The SDK's
 * doc comments list camelCase names ("certSigning"): that is a doc-generation artifact, the provider rejects
 * them, and so does this module.
 *
 * Nothing here logs; results carry a `summary` without secret values for the deployer's log.
 */
import * as crypto from "node:crypto";
import * as net from "node:net";
import { KeyUsageFlags } from "@peculiar/asn1-x509";
import { checkKeys, NotModelled } from "../refuse";
import { mapAllowedUses } from "./tlsUses";

export { EXT_KEY_USAGES, KEY_USAGES, mapAllowedUses } from "./tlsUses";
import {
  CertTemplate, createCertificate, createCsr, hashForState, isEmptySubject, keyInfo, opensshKey,
  parseCsr, pem, randomSerial, Sans, Subject, SUBJECT_FIELDS, subjectKeyId, subjectString,
} from "./tlsFormats";

export { certSubjectKeyId, keyInfo, parseCsr, subjectKeyId } from "./tlsFormats";
export type { KeyInfo, ParsedCsr } from "./tlsFormats";

export interface TlsResult {
  id: string;
  state: Record<string, any>;
  /** Output names that the SDK lists in additionalSecretOutputs (the deployer marks them secret). */
  secretOutputs: string[];
  /** One line for the log, never containing key material. */
  summary: string;
}

export const TLS_TYPES = {
  privateKey: "tls:index/privateKey:PrivateKey",
  selfSignedCert: "tls:index/selfSignedCert:SelfSignedCert",
  certRequest: "tls:index/certRequest:CertRequest",
  locallySignedCert: "tls:index/locallySignedCert:LocallySignedCert",
} as const;

// ---------------------------------------------------------------- keys

function parsePrivateKey(pemText: unknown, what: string): crypto.KeyObject {
  if (typeof pemText !== "string" || !pemText.includes("-----BEGIN")) throw new Error(`${what} must be a PEM private key`);
  try {
    return crypto.createPrivateKey({ key: pemText, format: "pem" });
  } catch (e) {
    throw new Error(`${what}: failed to parse the private key: ${(e as Error).message}`);
  }
}

/**
 * An ECDSA P-256 key, the only key the component makes (and the plugin models): `privateKeyPem` in SEC1 as Go's
 * x509.MarshalECPrivateKey writes it, PKCS#8 beside it, the OpenSSH forms and fingerprints. The state keeps the
 * schema's default rsaBits (2048), as the provider's does.
 */
export function privateKey(inputs: Record<string, any>): TlsResult {
  checkKeys("tls PrivateKey", inputs, ["algorithm", "ecdsaCurve", "rsaBits"]);
  if (inputs.algorithm !== "ECDSA" || inputs.ecdsaCurve !== "P256") {
    const what = inputs.algorithm === "ECDSA" ? `ECDSA ${inputs.ecdsaCurve ?? "P224"}` : String(inputs.algorithm);
    throw new NotModelled(`the provider plugin models ECDSA P256 keys only, not ${what}`);
  }
  const kp = crypto.generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const privateKeyPem = kp.privateKey.export({ format: "pem", type: "sec1" }) as string;
  const spki = kp.publicKey.export({ format: "der", type: "spki" });
  const ssh = opensshKey(kp.privateKey);
  const id = hashForState(spki);
  return {
    id,
    state: {
      algorithm: "ECDSA",
      rsaBits: inputs.rsaBits ?? 2048,
      ecdsaCurve: "P256",
      privateKeyPem,
      privateKeyPemPkcs8: kp.privateKey.export({ format: "pem", type: "pkcs8" }) as string,
      privateKeyOpenssh: ssh.privateKey,
      publicKeyPem: pem("PUBLIC KEY", spki),
      publicKeyOpenssh: ssh.publicKey,
      publicKeyFingerprintMd5: ssh.md5,
      publicKeyFingerprintSha256: ssh.sha256,
    },
    secretOutputs: ["privateKeyOpenssh", "privateKeyPem", "privateKeyPemPkcs8"],
    summary: `generated ECDSA P256 key (public key sha1 ${id.slice(0, 12)})`,
  };
}

// ---------------------------------------------------------------- inputs

function subjectInput(subject: Record<string, any> | undefined, what: string): Subject {
  checkKeys(`${what} subject`, subject ?? {}, SUBJECT_FIELDS);
  return subject ?? {};
}

function stringList(v: unknown, what: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) throw new Error(`${what} must be a list of strings`);
  return v as string[];
}

/** SANs as the provider checks them (net.ParseIP, url.Parse) and Go's x509 encodes them (IA5String). */
function sansFrom(inputs: Record<string, any>, what: string): Sans {
  const list = (k: string, ok: (s: string) => boolean, err: string) =>
    stringList(inputs[k], `${what} ${k}`).map((s) => {
      if (/[^\x00-\x7f]/.test(s) || !ok(s)) throw new Error(`${what} ${k}: ${err} ${JSON.stringify(s)}`);
      return s;
    });
  return {
    dnsNames: list("dnsNames", () => true, "cannot be encoded as an IA5String:"),
    ipAddresses: list("ipAddresses", (ip) => net.isIP(ip) !== 0 && !ip.includes("%"), "invalid IP address"),
    uris: list("uris", (u) => URL.canParse(u), "invalid URI"),
  };
}

function hoursInput(inputs: Record<string, any>, k: string, what: string, required: boolean): number {
  const v = inputs[k];
  if (v === undefined) {
    if (required) throw new Error(`${what} input '${k}' is required`);
    return 0;
  }
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${what} ${k} must be a non-negative integer, got ${JSON.stringify(v)}`);
  return n;
}

// ---------------------------------------------------------------- certificates

/** RFC 3339, seconds precision, UTC. */
const rfc3339 = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "Z");

interface IssuePlan {
  what: string;
  inputs: Record<string, any>;
  /** Subject, SANs and public key of the certificate. */
  of: Pick<CertTemplate, "subject" | "sans" | "spki">;
  subjectEmpty: boolean;
  signerKey: crypto.KeyObject;
  /** The CA certificate; self-signed when absent. */
  parentPem?: string;
  setAuthorityKeyId: boolean;
  now: Date;
}

/**
 * The provider's createCertificate; returns the serial (the resource id) and the state both certificate resources
 * report: their inputs with the provider's defaults, and the signed result.
 */
function issue(p: IssuePlan): { serial: string; state: Record<string, any> } {
  const { inputs, what } = p;
  const hours = hoursInput(inputs, "validityPeriodHours", what, true);
  const early = hoursInput(inputs, "earlyRenewalHours", what, false);
  if (inputs.allowedUses === undefined) throw new Error(`${what} input 'allowedUses' is required`);
  const { keyUsage, extKeyUsage } = mapAllowedUses(inputs.allowedUses);
  const isCa = inputs.isCaCertificate === true;
  if (isCa && p.subjectEmpty) throw new Error(`${what}: a CA certificate must have at least one subject field (the provider refuses an empty subject)`);
  const maxPathLength = inputs.maxPathLength === undefined ? 0 : Number(inputs.maxPathLength);
  if (!Number.isInteger(maxPathLength)) throw new Error(`${what} maxPathLength must be an integer`);
  if (!isCa && maxPathLength > 0) throw new Error(`${what}: maxPathLength needs isCaCertificate (Go's x509: only CAs are allowed to specify MaxPathLen)`);
  const ski = isCa || inputs.setSubjectKeyId === true ? subjectKeyId(p.of.spki) : undefined;
  if (p.setAuthorityKeyId && !ski) {
    throw new Error(`${what}: setAuthorityKeyId needs a subject key id (set setSubjectKeyId or isCaCertificate), like the provider`);
  }

  const start = new Date(Math.floor(p.now.getTime() / 1000) * 1000);
  const end = new Date(start.getTime() + hours * 3600_000);
  const serial = randomSerial();
  const certPem = createCertificate(
    {
      ...p.of, notBefore: start, notAfter: end, serial: serial.der, isCa, maxPathLength,
      keyUsage: keyUsage.reduce((flags, u) => flags | KeyUsageFlags[u], 0), extKeyUsage,
      subjectKeyId: ski, authorityKeyId: p.setAuthorityKeyId ? ski : undefined,
    },
    p.signerKey,
    p.parentPem,
  );
  return {
    serial: serial.decimal,
    state: {
      ...inputs,
      earlyRenewalHours: inputs.earlyRenewalHours ?? 0,
      isCaCertificate: inputs.isCaCertificate ?? false,
      setSubjectKeyId: inputs.setSubjectKeyId ?? false,
      maxPathLength: inputs.maxPathLength ?? 0,
      certPem,
      validityStartTime: rfc3339(start),
      validityEndTime: rfc3339(end),
      readyForRenewal: Date.now() >= end.getTime() - early * 3600_000,
    },
  };
}

// ---------------------------------------------------------------- resources

export async function selfSignedCert(inputs: Record<string, any>, opts: { now?: Date } = {}): Promise<TlsResult> {
  const what = "tls SelfSignedCert";
  checkKeys(what, inputs, [
    "privateKeyPem", "subject", "validityPeriodHours", "earlyRenewalHours", "isCaCertificate", "allowedUses",
    "dnsNames", "ipAddresses", "uris", "setSubjectKeyId", "setAuthorityKeyId", "maxPathLength",
  ]);
  const key = parsePrivateKey(inputs.privateKeyPem, `${what} privateKeyPem`);
  const subject = subjectInput(inputs.subject, what);
  const spki = crypto.createPublicKey(key).export({ format: "der", type: "spki" });
  const { serial, state } = issue({
    what, inputs, of: { subject, sans: sansFrom(inputs, what), spki }, subjectEmpty: isEmptySubject(subject), signerKey: key,
    setAuthorityKeyId: inputs.setAuthorityKeyId === true, now: opts.now ?? new Date(),
  });
  return {
    id: serial,
    state: { ...state, setAuthorityKeyId: inputs.setAuthorityKeyId ?? false, keyAlgorithm: keyInfo(key).algorithm },
    secretOutputs: ["privateKeyPem"],
    summary: `self-signed ${inputs.isCaCertificate ? "CA " : ""}certificate ${subjectString(subject)} serial ${serial}, valid until ${state.validityEndTime}`,
  };
}

export async function certRequest(inputs: Record<string, any>): Promise<TlsResult> {
  const what = "tls CertRequest";
  checkKeys(what, inputs, ["privateKeyPem", "subject", "dnsNames", "ipAddresses", "uris"]);
  const key = parsePrivateKey(inputs.privateKeyPem, `${what} privateKeyPem`);
  const subject = subjectInput(inputs.subject, what);
  const sans = sansFrom(inputs, what);
  const csr = createCsr(key, subject, sans);
  return {
    id: hashForState(csr.der),
    state: { ...inputs, keyAlgorithm: keyInfo(key).algorithm, certRequestPem: csr.pem },
    secretOutputs: ["privateKeyPem"],
    summary: `certificate request ${subjectString(subject)} SANs [${[...sans.dnsNames, ...sans.ipAddresses, ...sans.uris].join(",")}]`,
  };
}

export async function locallySignedCert(inputs: Record<string, any>, opts: { now?: Date } = {}): Promise<TlsResult> {
  const what = "tls LocallySignedCert";
  checkKeys(what, inputs, [
    "certRequestPem", "caPrivateKeyPem", "caCertPem", "validityPeriodHours", "earlyRenewalHours", "isCaCertificate",
    "allowedUses", "setSubjectKeyId", "maxPathLength",
  ]);
  const caKey = parsePrivateKey(inputs.caPrivateKeyPem, `${what} caPrivateKeyPem`);
  if (typeof inputs.certRequestPem !== "string") throw new Error(`${what} input 'certRequestPem' is required`);
  if (typeof inputs.caCertPem !== "string") throw new Error(`${what} input 'caCertPem' is required`);
  const csr = parseCsr(inputs.certRequestPem);
  const caCert = new crypto.X509Certificate(inputs.caCertPem);
  if (!caCert.checkPrivateKey(caKey)) throw new Error(`${what}: caPrivateKeyPem does not match caCertPem`);
  const { serial, state } = issue({
    what, inputs, of: { subject: csr.subject, sans: csr, spki: csr.spki }, subjectEmpty: csr.subjectEmpty, signerKey: caKey,
    parentPem: inputs.caCertPem, setAuthorityKeyId: false, now: opts.now ?? new Date(),
  });
  return {
    id: serial,
    state: { ...state, caKeyAlgorithm: keyInfo(caKey).algorithm },
    secretOutputs: ["caPrivateKeyPem"],
    summary:
      `certificate signed by ${caCert.subject.replace(/\n/g, ",")} serial ${serial} SANs ` +
      `[${[...csr.dnsNames, ...csr.ipAddresses, ...csr.uris].join(",")}], valid until ${state.validityEndTime}`,
  };
}
