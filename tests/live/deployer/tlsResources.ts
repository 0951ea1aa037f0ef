/**
 * Real values for @pulumi/tls resources (PrivateKey, SelfSignedCert, CertRequest, LocallySignedCert), shaped like
 * the tls provider's outputs and built the way terraform-provider-tls (which pulumi-tls wraps) builds them:
 *
 * - keys come from node:crypto (RSA default 2048 bits, ECDSA default curve P224, ED25519); `privateKeyPem` is PKCS#1
 *   for RSA, SEC1 for ECDSA and PKCS#8 for ED25519, as Go's encoders produce.
 * - CSRs and certificates are made by Debian's `openssl` CLI (`openssl req` for CSRs, `openssl ca` for
 *   certificates, because only `ca` takes an explicit start/end time in OpenSSL 3.0 and validity is in hours) from
 *   a config file written into a private temp dir (mode 0700, removed afterwards).
 * - allowedUses → keyUsage (critical) / extendedKeyUsage, like the provider's keyUsages / extendedKeyUsages maps;
 *   basicConstraints is always present and critical (the provider sets BasicConstraintsValid); a CA certificate
 *   always gets a subject key id (SHA-1 of the public key, computed like the provider), a locally signed one gets
 *   the CA's subject key id as authority key id (Go's x509.CreateCertificate does that); a LocallySignedCert takes
 *   subject and DNS/IP/URI SANs from the CSR and nothing else from it.
 *
 * Values accepted for allowedUses are the provider's (snake_case: "cert_signing", "server_auth", ...). The SDK's
 * doc comments list camelCase names ("certSigning"): that is a doc-generation artifact, the provider rejects
 * them, and so does this module.
 *
 * Nothing here logs; results carry a `summary` without secret values for the deployer's log.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as crypto from "node:crypto";
import * as net from "node:net";
import { run } from "./exec";

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

function checkKeys(what: string, inputs: Record<string, any>, allowed: string[]): void {
  for (const [k, v] of Object.entries(inputs)) {
    if (v === undefined || k.startsWith("__")) continue;
    if (!allowed.includes(k)) throw new Error(`the live deployer does not support ${what} input '${k}'`);
  }
}

// ---------------------------------------------------------------- allowed uses

/** terraform-provider-tls `keyUsages` → OpenSSL keyUsage names. */
export const KEY_USAGES: Record<string, string> = {
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

/** Splits allowedUses into OpenSSL keyUsage names and EKU OIDs (in the order given, duplicates kept out). */
export function mapAllowedUses(uses: unknown): { keyUsage: string[]; extKeyUsage: string[] } {
  if (!Array.isArray(uses)) throw new Error(`allowedUses must be a list of strings, got ${JSON.stringify(uses)}`);
  const keyUsage: string[] = [];
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

// ---------------------------------------------------------------- DER (just enough to read CSRs and certificates)

interface Tlv {
  tag: number;
  /** Offset of the content. */
  start: number;
  /** Offset after the content. */
  end: number;
  /** Offset of the tag byte. */
  at: number;
}

function readTlv(b: Buffer, at: number): Tlv {
  if (at + 2 > b.length) throw new Error("DER: truncated");
  const tag = b[at];
  let len = b[at + 1];
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new Error("DER: unsupported length");
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[start + i];
    start += n;
  }
  if (start + len > b.length) throw new Error("DER: truncated");
  return { tag, start, end: start + len, at };
}

function children(b: Buffer, t: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let p = t.start; p < t.end; ) {
    const c = readTlv(b, p);
    out.push(c);
    p = c.end;
  }
  return out;
}

const OID_SAN = "551d11";
const OID_SKI = "551d0e";
const OID_EXT_REQUEST = "2a864886f70d01090e";

const hexOf = (b: Buffer, t: Tlv) => b.subarray(t.start, t.end).toString("hex");

/** Extension list (SEQUENCE OF Extension) → { oidHex: extnValue content }. */
function extensionMap(b: Buffer, seq: Tlv): Map<string, Buffer> {
  const m = new Map<string, Buffer>();
  for (const ext of children(b, seq)) {
    const parts = children(b, ext);
    const value = parts[parts.length - 1];
    m.set(hexOf(b, parts[0]), b.subarray(value.start, value.end));
  }
  return m;
}

function pemBody(pem: string, type: string): Buffer {
  const m = new RegExp(`-----BEGIN ${type}-----([\\s\\S]*?)-----END ${type}-----`).exec(pem);
  if (!m) throw new Error(`expected a PEM block of type "${type}"`);
  return Buffer.from(m[1].replace(/\s+/g, ""), "base64");
}

export interface ParsedCsr {
  dnsNames: string[];
  ipAddresses: string[];
  uris: string[];
  /** DER of the SubjectPublicKeyInfo. */
  spki: Buffer;
  subjectEmpty: boolean;
}

function ipToString(raw: Buffer): string {
  if (raw.length === 4) return [...raw].join(".");
  if (raw.length === 16) {
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(raw.readUInt16BE(i).toString(16));
    return groups.join(":");
  }
  throw new Error(`bad iPAddress length ${raw.length}`);
}

function parseSan(ext: Buffer | undefined): { dnsNames: string[]; ipAddresses: string[]; uris: string[] } {
  const r = { dnsNames: [] as string[], ipAddresses: [] as string[], uris: [] as string[] };
  if (!ext) return r;
  for (const gn of children(ext, readTlv(ext, 0))) {
    const v = ext.subarray(gn.start, gn.end);
    if (gn.tag === 0x82) r.dnsNames.push(v.toString("latin1"));
    else if (gn.tag === 0x86) r.uris.push(v.toString("latin1"));
    else if (gn.tag === 0x87) r.ipAddresses.push(ipToString(v));
    // other name kinds (email, otherName, ...) are not carried into certificates by the provider either
  }
  return r;
}

/** Reads what the provider's LocallySignedCert takes from a CSR. */
export function parseCsr(pem: string): ParsedCsr {
  const b = pemBody(pem, "CERTIFICATE REQUEST");
  const info = children(b, readTlv(b, 0))[0];
  const [, subject, spki, ...rest] = children(b, info);
  let ext: Buffer | undefined;
  const attrs = rest.find((t) => t.tag === 0xa0);
  if (attrs) {
    for (const attr of children(b, attrs)) {
      const [oid, set] = children(b, attr);
      if (hexOf(b, oid) !== OID_EXT_REQUEST) continue;
      const exts = extensionMap(b, children(b, set)[0]);
      ext = exts.get(OID_SAN);
    }
  }
  return { ...parseSan(ext), spki: b.subarray(spki.at, spki.end), subjectEmpty: subject.end === subject.start };
}

/** The subject key identifier extension of a certificate, if any. */
export function certSubjectKeyId(pem: string): Buffer | undefined {
  const b = pemBody(pem, "CERTIFICATE");
  const tbs = children(b, readTlv(b, 0))[0];
  const exts = children(b, tbs).find((t) => t.tag === 0xa3);
  if (!exts) return undefined;
  const ski = extensionMap(b, children(b, exts)[0]).get(OID_SKI);
  if (!ski) return undefined;
  const inner = readTlv(ski, 0);
  return ski.subarray(inner.start, inner.end);
}

/**
 * The provider's generateSubjectKeyID: SHA-1 over the public key bytes (RSA: PKCS#1 RSAPublicKey, ECDSA:
 * uncompressed point, i.e. the SPKI bit string for both; ED25519: the 32 bytes wrapped in an ASN.1 OCTET STRING).
 */
export function subjectKeyId(spkiDer: Buffer): Buffer {
  const top = children(spkiDer, readTlv(spkiDer, 0));
  const bits = spkiDer.subarray(top[1].start + 1, top[1].end); // skip the unused-bits byte
  const isEd25519 = hexOf(spkiDer, children(spkiDer, top[0])[0]) === "2b6570";
  const bytes = isEd25519 ? Buffer.concat([Buffer.from([0x04, bits.length]), bits]) : bits;
  return crypto.createHash("sha1").update(bytes).digest();
}

// ---------------------------------------------------------------- keys

const CURVES: Record<string, { node: string; ssh?: string; digest: string }> = {
  P224: { node: "secp224r1", digest: "sha256" },
  P256: { node: "prime256v1", ssh: "nistp256", digest: "sha256" },
  P384: { node: "secp384r1", ssh: "nistp384", digest: "sha384" },
  P521: { node: "secp521r1", ssh: "nistp521", digest: "sha512" },
};
const NODE_CURVE_TO_NAME: Record<string, string> = Object.fromEntries(Object.entries(CURVES).map(([k, v]) => [v.node, k]));

export interface KeyInfo {
  algorithm: "RSA" | "ECDSA" | "ED25519";
  curve?: string;
  /** openssl digest option for signing with this key ("" for ED25519). */
  digest: string;
}

export function keyInfo(key: crypto.KeyObject): KeyInfo {
  switch (key.asymmetricKeyType) {
    case "rsa":
      return { algorithm: "RSA", digest: "sha256" };
    case "ec": {
      const curve = NODE_CURVE_TO_NAME[String(key.asymmetricKeyDetails?.namedCurve)];
      if (!curve) throw new Error(`unsupported ECDSA curve ${key.asymmetricKeyDetails?.namedCurve}`);
      return { algorithm: "ECDSA", curve, digest: CURVES[curve].digest };
    }
    case "ed25519":
      return { algorithm: "ED25519", digest: "" };
    default:
      throw new Error(`unsupported private key type ${key.asymmetricKeyType}`);
  }
}

function parsePrivateKey(pem: unknown, what: string): crypto.KeyObject {
  if (typeof pem !== "string" || !pem.includes("-----BEGIN")) throw new Error(`${what} must be a PEM private key`);
  try {
    return crypto.createPrivateKey({ key: pem, format: "pem" });
  } catch (e) {
    throw new Error(`${what}: failed to parse the private key: ${(e as Error).message}`);
  }
}

function sshString(b: Buffer | string): Buffer {
  const v = typeof b === "string" ? Buffer.from(b) : b;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(v.length);
  return Buffer.concat([len, v]);
}

function sshMpint(b64url: string): Buffer {
  let v = Buffer.from(b64url, "base64url");
  let i = 0;
  while (i < v.length - 1 && v[i] === 0) i++;
  v = v.subarray(i);
  if (v.length && v[0] & 0x80) v = Buffer.concat([Buffer.from([0]), v]);
  return sshString(v);
}

/** OpenSSH public blob and private-section fields (undefined for ECDSA P224, which SSH does not support). */
function sshParts(key: crypto.KeyObject, info: KeyInfo): { type: string; pub: Buffer; priv: Buffer } | undefined {
  if (info.algorithm === "ECDSA" && !CURVES[info.curve!].ssh) return undefined;
  const jwk = key.export({ format: "jwk" }) as crypto.JsonWebKey;
  if (info.algorithm === "RSA") {
    const pub = Buffer.concat([sshString("ssh-rsa"), sshMpint(jwk.e!), sshMpint(jwk.n!)]);
    const priv = Buffer.concat([
      sshString("ssh-rsa"), sshMpint(jwk.n!), sshMpint(jwk.e!), sshMpint(jwk.d!), sshMpint(jwk.qi!), sshMpint(jwk.p!), sshMpint(jwk.q!),
    ]);
    return { type: "ssh-rsa", pub, priv };
  }
  if (info.algorithm === "ECDSA") {
    const ssh = CURVES[info.curve!].ssh;
    if (!ssh) return undefined;
    const type = `ecdsa-sha2-${ssh}`;
    const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, "base64url"), Buffer.from(jwk.y!, "base64url")]);
    const pub = Buffer.concat([sshString(type), sshString(ssh), sshString(point)]);
    const priv = Buffer.concat([sshString(type), sshString(ssh), sshString(point), sshMpint(jwk.d!)]);
    return { type, pub, priv };
  }
  const pk = Buffer.from(jwk.x!, "base64url");
  const seed = Buffer.from(jwk.d!, "base64url");
  const pub = Buffer.concat([sshString("ssh-ed25519"), sshString(pk)]);
  const priv = Buffer.concat([sshString("ssh-ed25519"), sshString(pk), sshString(Buffer.concat([seed, pk]))]);
  return { type: "ssh-ed25519", pub, priv };
}

const pemWrap = (type: string, der: Buffer) =>
  `-----BEGIN ${type}-----\n${der.toString("base64").replace(/(.{64})/g, "$1\n").replace(/\n$/, "")}\n-----END ${type}-----\n`;

/** Unencrypted "openssh-key-v1" private key (what Go's ssh.MarshalPrivateKey writes). */
function opensshPrivateKey(parts: { pub: Buffer; priv: Buffer }): string {
  const check = crypto.randomBytes(4);
  let body = Buffer.concat([check, check, parts.priv, sshString("")]);
  const pad: number[] = [];
  for (let i = 1; (body.length + pad.length) % 8 !== 0; i++) pad.push(i);
  body = Buffer.concat([body, Buffer.from(pad)]);
  const nkeys = Buffer.alloc(4);
  nkeys.writeUInt32BE(1);
  const der = Buffer.concat([
    Buffer.from("openssh-key-v1\0"), sshString("none"), sshString("none"), sshString(""), nkeys, sshString(parts.pub), sshString(body),
  ]);
  return pemWrap("OPENSSH PRIVATE KEY", der);
}

export function privateKey(inputs: Record<string, any>): TlsResult {
  checkKeys("tls PrivateKey", inputs, ["algorithm", "ecdsaCurve", "rsaBits"]);
  const algorithm = inputs.algorithm;
  let kp: crypto.KeyPairKeyObjectResult;
  const rsaBits = inputs.rsaBits === undefined ? 2048 : Number(inputs.rsaBits);
  const ecdsaCurve = inputs.ecdsaCurve === undefined ? "P224" : String(inputs.ecdsaCurve);
  if (algorithm === "RSA") {
    if (!Number.isInteger(rsaBits) || rsaBits < 1024) throw new Error(`tls PrivateKey rsaBits must be an integer >= 1024, got ${inputs.rsaBits}`);
    kp = crypto.generateKeyPairSync("rsa", { modulusLength: rsaBits });
  } else if (algorithm === "ECDSA") {
    if (!CURVES[ecdsaCurve]) throw new Error(`tls PrivateKey ecdsaCurve must be one of ${Object.keys(CURVES).join(", ")}, got ${ecdsaCurve}`);
    kp = crypto.generateKeyPairSync("ec", { namedCurve: CURVES[ecdsaCurve].node });
  } else if (algorithm === "ED25519") {
    kp = crypto.generateKeyPairSync("ed25519");
  } else {
    throw new Error(`tls PrivateKey algorithm must be RSA, ECDSA or ED25519, got ${JSON.stringify(algorithm)}`);
  }
  const info = keyInfo(kp.privateKey);
  const privateKeyPem = kp.privateKey.export({
    format: "pem",
    type: algorithm === "RSA" ? "pkcs1" : algorithm === "ECDSA" ? "sec1" : "pkcs8",
  }) as string;
  const privateKeyPemPkcs8 = kp.privateKey.export({ format: "pem", type: "pkcs8" }) as string;
  const publicKeyPem = kp.publicKey.export({ format: "pem", type: "spki" }) as string;
  const ssh = sshParts(kp.privateKey, info);
  const md5 = ssh ? crypto.createHash("md5").update(ssh.pub).digest("hex").replace(/(..)(?!$)/g, "$1:") : "";
  const sha256 = ssh ? `SHA256:${crypto.createHash("sha256").update(ssh.pub).digest("base64").replace(/=+$/, "")}` : "";
  // The provider's id is the hex SHA-1 of the public key PEM.
  const id = crypto.createHash("sha1").update(publicKeyPem).digest("hex");
  return {
    id,
    state: {
      algorithm,
      rsaBits,
      ecdsaCurve,
      privateKeyPem,
      privateKeyPemPkcs8,
      privateKeyOpenssh: ssh ? opensshPrivateKey(ssh) : "",
      publicKeyPem,
      publicKeyOpenssh: ssh ? `${ssh.type} ${ssh.pub.toString("base64")}\n` : "",
      publicKeyFingerprintMd5: md5,
      publicKeyFingerprintSha256: sha256,
    },
    secretOutputs: ["privateKeyOpenssh", "privateKeyPem", "privateKeyPemPkcs8"],
    summary: `generated ${algorithm}${algorithm === "RSA" ? ` ${rsaBits} bits` : algorithm === "ECDSA" ? ` ${ecdsaCurve}` : ""} key (public key sha1 ${id.slice(0, 12)})`,
  };
}

// ---------------------------------------------------------------- openssl

/** Order of pkix.Name.ToRDNSequence (C, ST, L, street, postalCode, O, OU, CN, serialNumber, then emailAddress). */
const SUBJECT_FIELDS: [string, string][] = [
  ["country", "C"],
  ["province", "ST"],
  ["locality", "L"],
  ["streetAddresses", "street"],
  ["postalCode", "postalCode"],
  ["organization", "O"],
  ["organizationalUnit", "OU"],
  ["commonName", "CN"],
  ["serialNumber", "serialNumber"],
  ["emailAddress", "emailAddress"],
];

const noControl = (what: string, s: string) => {
  if (/[\x00-\x1f\x7f]/.test(s)) throw new Error(`${what}: control characters are not supported`);
  return s;
};

/** `openssl -subj` argument ("/" for an empty subject). */
export function subjectArg(subject: Record<string, any> | undefined, what: string): string {
  const s = subject ?? {};
  checkKeys(`${what} subject`, s, SUBJECT_FIELDS.map(([k]) => k));
  const esc = (v: string) => noControl(`${what} subject`, v).replace(/[\\/]/g, (c) => `\\${c}`);
  let out = "";
  for (const [k, short] of SUBJECT_FIELDS) {
    const v = s[k];
    if (v === undefined || v === null) continue;
    const values = Array.isArray(v) ? v : [v];
    for (const x of values) out += `/${short}=${esc(String(x))}`;
  }
  return out || "/";
}

const confEsc = (what: string, v: string) => noControl(what, v).replace(/[\\"'#$]/g, (c) => `\\${c}`);

function stringList(v: unknown, what: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) throw new Error(`${what} must be a list of strings`);
  return v as string[];
}

interface Sans {
  dnsNames: string[];
  ipAddresses: string[];
  uris: string[];
}

function sanSection(sans: Sans, what: string): string[] {
  const lines: string[] = [];
  sans.dnsNames.forEach((d, i) => lines.push(`DNS.${i + 1} = ${confEsc(`${what} dnsNames`, d)}`));
  sans.ipAddresses.forEach((ip, i) => {
    if (!net.isIP(ip)) throw new Error(`${what} ipAddresses: invalid IP address ${JSON.stringify(ip)}`);
    lines.push(`IP.${i + 1} = ${ip}`);
  });
  sans.uris.forEach((u, i) => {
    try {
      new URL(u);
    } catch {
      throw new Error(`${what} uris: invalid URI ${JSON.stringify(u)}`);
    }
    lines.push(`URI.${i + 1} = ${confEsc(`${what} uris`, u)}`);
  });
  return lines;
}

async function openssl(args: string[], dir: string): Promise<string> {
  const r = await run("openssl", args, { cwd: dir, timeoutMs: 120_000, env: { ...process.env, OPENSSL_CONF: path.join(dir, "openssl.cnf") } });
  if (r.code !== 0) throw new Error(`openssl ${args[0]} failed (exit ${r.code}): ${r.stderr.trim().split("\n").slice(-5).join("\n")}`);
  return r.stdout;
}

async function withTmpDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "live-tls-"));
  fs.chmodSync(dir, 0o700);
  try {
    fs.writeFileSync(path.join(dir, "openssl.cnf"), "[req]\ndistinguished_name = dn\n[dn]\n", { mode: 0o600 });
    return await fn(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes the key (PKCS#8, so openssl reads every type the same way) into dir; returns its path. */
function writeKey(dir: string, name: string, key: crypto.KeyObject): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, key.export({ format: "pem", type: "pkcs8" }) as string, { mode: 0o600 });
  return p;
}

async function makeCsr(dir: string, key: crypto.KeyObject, subj: string, sans: Sans, what: string): Promise<string> {
  const info = keyInfo(key);
  const san = sanSection(sans, what);
  const conf = ["[req]", "distinguished_name = dn", "string_mask = utf8only", "utf8 = yes", ...(san.length ? ["req_extensions = ext"] : []), "[dn]"];
  if (san.length) conf.push("[ext]", "subjectAltName = @alt", "[alt]", ...san);
  fs.writeFileSync(path.join(dir, "req.cnf"), conf.join("\n") + "\n", { mode: 0o600 });
  const keyFile = writeKey(dir, "csr.key", key);
  await openssl(
    ["req", "-new", "-config", "req.cnf", "-utf8", "-key", keyFile, "-subj", subj, ...(info.digest ? [`-${info.digest}`] : []), "-out", "req.csr"],
    dir,
  );
  return fs.readFileSync(path.join(dir, "req.csr"), "utf8");
}

/** RFC 3339 (seconds precision, UTC), and openssl's ASN1 time form. */
const rfc3339 = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "Z");
const asn1Time = (d: Date) => rfc3339(d).replace(/[-:T]/g, "");

interface SignPlan {
  what: string;
  csrPem: string;
  /** Self-signed when absent. */
  caCertPem?: string;
  signerKey: crypto.KeyObject;
  /** SPKI of the certificate's own key (for its subject key id). */
  subjectSpki: Buffer;
  subjectEmpty: boolean;
  sans: Sans;
  inputs: Record<string, any>;
  setAuthorityKeyId: boolean;
  now: Date;
}

interface Signed {
  certPem: string;
  serial: string;
  validityStartTime: string;
  validityEndTime: string;
  readyForRenewal: boolean;
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

async function sign(dir: string, p: SignPlan): Promise<Signed> {
  const { inputs, what } = p;
  const hours = hoursInput(inputs, "validityPeriodHours", what, true);
  const early = hoursInput(inputs, "earlyRenewalHours", what, false);
  if (inputs.allowedUses === undefined) throw new Error(`${what} input 'allowedUses' is required`);
  const { keyUsage, extKeyUsage } = mapAllowedUses(inputs.allowedUses);
  const isCa = inputs.isCaCertificate === true;
  if (isCa && p.subjectEmpty) throw new Error(`${what}: a CA certificate must have at least one subject field (the provider refuses an empty subject)`);

  const start = new Date(Math.floor(p.now.getTime() / 1000) * 1000);
  const end = new Date(start.getTime() + hours * 3600_000);
  const serialBytes = crypto.randomBytes(16);
  serialBytes[0] &= 0x7f;
  if (serialBytes[0] === 0) serialBytes[0] = 1;

  const ext: string[] = [];
  const maxPath = inputs.maxPathLength === undefined ? 0 : Number(inputs.maxPathLength);
  if (!Number.isInteger(maxPath)) throw new Error(`${what} maxPathLength must be an integer`);
  // Go: MaxPathLen 0 without MaxPathLenZero means "no limit"; the provider never sets MaxPathLenZero.
  ext.push(`basicConstraints = critical,CA:${isCa ? "TRUE" : "FALSE"}${isCa && maxPath > 0 ? `,pathlen:${maxPath}` : ""}`);
  if (keyUsage.length) ext.push(`keyUsage = critical,${keyUsage.join(",")}`);
  if (extKeyUsage.length) ext.push(`extendedKeyUsage = ${extKeyUsage.join(",")}`);
  const ski = isCa || inputs.setSubjectKeyId === true ? subjectKeyId(p.subjectSpki) : undefined;
  ext.push(`subjectKeyIdentifier = ${ski ? ski.toString("hex").toUpperCase().replace(/(..)(?!$)/g, "$1:") : "none"}`);
  let aki = false;
  if (p.caCertPem === undefined) {
    if (p.setAuthorityKeyId) {
      if (!ski) throw new Error(`${what}: setAuthorityKeyId needs a subject key id (set setSubjectKeyId or isCaCertificate), like the provider`);
      aki = true;
    }
  } else {
    aki = certSubjectKeyId(p.caCertPem) !== undefined; // Go copies the parent's subject key id
  }
  ext.push(`authorityKeyIdentifier = ${aki ? "keyid:always" : "none"}`);
  const san = sanSection(p.sans, what);
  if (san.length) ext.push(`subjectAltName = ${p.subjectEmpty ? "critical," : ""}@alt`);

  const info = keyInfo(p.signerKey);
  const conf = [
    "[ca]", "default_ca = d",
    "[d]", "database = index.txt", "new_certs_dir = .", "serial = serial", `default_md = ${info.digest || "default"}`,
    "policy = pol", "unique_subject = no", "email_in_dn = yes", "copy_extensions = none", "string_mask = utf8only",
    "[pol]", "commonName = optional",
    "[ext]", ...ext,
    ...(san.length ? ["[alt]", ...san] : []),
  ];
  fs.writeFileSync(path.join(dir, "ca.cnf"), conf.join("\n") + "\n", { mode: 0o600 });
  fs.writeFileSync(path.join(dir, "index.txt"), "");
  fs.writeFileSync(path.join(dir, "serial"), serialBytes.toString("hex").toUpperCase() + "\n");
  fs.writeFileSync(path.join(dir, "in.csr"), p.csrPem);
  const keyFile = writeKey(dir, "signer.key", p.signerKey);
  const args = [
    "ca", "-config", "ca.cnf", "-batch", "-notext", "-preserveDN", "-utf8", "-in", "in.csr", "-out", "out.pem",
    "-keyfile", keyFile, "-extfile", "ca.cnf", "-extensions", "ext", "-startdate", asn1Time(start), "-enddate", asn1Time(end),
  ];
  if (p.caCertPem === undefined) args.push("-selfsign");
  else {
    fs.writeFileSync(path.join(dir, "ca.pem"), p.caCertPem);
    args.push("-cert", "ca.pem");
  }
  await openssl(args, dir);
  const certPem = fs.readFileSync(path.join(dir, "out.pem"), "utf8");
  const now = Date.now();
  return {
    certPem,
    serial: BigInt("0x" + serialBytes.toString("hex")).toString(10),
    validityStartTime: rfc3339(start),
    validityEndTime: rfc3339(end),
    readyForRenewal: now >= end.getTime() - early * 3600_000,
  };
}

function sansFrom(inputs: Record<string, any>, what: string): Sans {
  return {
    dnsNames: stringList(inputs.dnsNames, `${what} dnsNames`),
    ipAddresses: stringList(inputs.ipAddresses, `${what} ipAddresses`),
    uris: stringList(inputs.uris, `${what} uris`),
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
  const subj = subjectArg(inputs.subject, what);
  const sans = sansFrom(inputs, what);
  const spki = crypto.createPublicKey(key).export({ format: "der", type: "spki" });
  const signed = await withTmpDir(async (dir) => {
    const csrPem = await makeCsr(dir, key, subj, { dnsNames: [], ipAddresses: [], uris: [] }, what);
    return sign(dir, {
      what, csrPem, signerKey: key, subjectSpki: spki, subjectEmpty: subj === "/", sans, inputs,
      setAuthorityKeyId: inputs.setAuthorityKeyId === true, now: opts.now ?? new Date(),
    });
  });
  const info = keyInfo(key);
  return {
    id: signed.serial,
    state: {
      ...certState(inputs, signed),
      setAuthorityKeyId: inputs.setAuthorityKeyId ?? false,
      keyAlgorithm: info.algorithm,
    },
    secretOutputs: ["privateKeyPem"],
    summary: `self-signed ${inputs.isCaCertificate ? "CA " : ""}certificate ${subj} serial ${signed.serial}, valid until ${signed.validityEndTime}`,
  };
}

/** The state both certificate resources report: their inputs with the provider's defaults, and the signed result. */
function certState(inputs: Record<string, any>, signed: { certPem: string; validityStartTime: string; validityEndTime: string; readyForRenewal: boolean }) {
  return {
    ...inputs,
    earlyRenewalHours: inputs.earlyRenewalHours ?? 0,
    isCaCertificate: inputs.isCaCertificate ?? false,
    setSubjectKeyId: inputs.setSubjectKeyId ?? false,
    maxPathLength: inputs.maxPathLength ?? 0,
    certPem: signed.certPem,
    validityStartTime: signed.validityStartTime,
    validityEndTime: signed.validityEndTime,
    readyForRenewal: signed.readyForRenewal,
  };
}

export async function certRequest(inputs: Record<string, any>): Promise<TlsResult> {
  const what = "tls CertRequest";
  checkKeys(what, inputs, ["privateKeyPem", "subject", "dnsNames", "ipAddresses", "uris"]);
  const key = parsePrivateKey(inputs.privateKeyPem, `${what} privateKeyPem`);
  const subj = subjectArg(inputs.subject, what);
  const sans = sansFrom(inputs, what);
  const certRequestPem = await withTmpDir((dir) => makeCsr(dir, key, subj, sans, what));
  return {
    // The provider's id is the hex SHA-1 of the CSR PEM.
    id: crypto.createHash("sha1").update(certRequestPem).digest("hex"),
    state: { ...inputs, keyAlgorithm: keyInfo(key).algorithm, certRequestPem },
    secretOutputs: ["privateKeyPem"],
    summary: `certificate request ${subj} SANs [${[...sans.dnsNames, ...sans.ipAddresses, ...sans.uris].join(",")}]`,
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
  const signed = await withTmpDir((dir) =>
    sign(dir, {
      what, csrPem: inputs.certRequestPem, caCertPem: inputs.caCertPem, signerKey: caKey, subjectSpki: csr.spki,
      subjectEmpty: csr.subjectEmpty, sans: csr, inputs, setAuthorityKeyId: false, now: opts.now ?? new Date(),
    }),
  );
  return {
    id: signed.serial,
    state: { ...certState(inputs, signed), caKeyAlgorithm: keyInfo(caKey).algorithm },
    secretOutputs: ["caPrivateKeyPem"],
    summary:
      `certificate signed by ${caCert.subject.replace(/\n/g, ",")} serial ${signed.serial} SANs ` +
      `[${[...csr.dnsNames, ...csr.ipAddresses, ...csr.uris].join(",")}], valid until ${signed.validityEndTime}`,
  };
}
