/**
 * Encodings for tlsResources.ts, shaped like the output of Go's crypto/x509 and golang.org/x/crypto/ssh (which
 * terraform-provider-tls uses):
 *
 * - X.509 certificates and PKCS#10 requests are built and read with the @peculiar/asn1-x509 / asn1-csr schemas (the
 *   ASN.1 layer of @peculiar/x509) and signed with node:crypto.sign. @peculiar/x509 itself signs through WebCrypto,
 *   which in Node has no P-224 (the provider's default curve), and node-forge signs only RSA certificates; node:crypto
 *   signs with every key the provider makes (RSA, ECDSA P224/P256/P384/P521, ED25519).
 * - OpenSSH keys and fingerprints come from sshpk, which like x/crypto/ssh has no P-224 (those outputs stay empty).
 */
import * as crypto from "node:crypto";
import * as net from "node:net";
import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import * as x509 from "@peculiar/asn1-x509";
import { Attributes, CertificationRequest, CertificationRequestInfo } from "@peculiar/asn1-csr";
import * as sshpk from "sshpk";

// ---------------------------------------------------------------- PEM and keys

/** Go's pem.EncodeToMemory: 64 columns, trailing newline. */
export const pem = (type: string, der: ArrayBuffer | Uint8Array) =>
  `-----BEGIN ${type}-----\n${Buffer.from(new Uint8Array(der)).toString("base64").replace(/.{64}(?=.)/g, "$&\n")}\n-----END ${type}-----\n`;

function pemDer(text: string, type: string): Buffer {
  const m = new RegExp(`-----BEGIN ${type}-----([A-Za-z0-9+/=\\s]*)-----END ${type}-----`).exec(text);
  if (!m) throw new Error(`expected a PEM block of type "${type}"`);
  return Buffer.from(m[1], "base64");
}

/**
 * The provider's hashForState: hex SHA-1 of a value after Go's strings.TrimSpace (DER never starts with a space;
 * at its end ASCII spaces, U+0085 and U+00A0 are trimmed here, three-byte Unicode spaces are not).
 */
export const hashForState = (der: Buffer) =>
  crypto.createHash("sha1").update(der.toString("latin1").replace(/(?:[\t\n\v\f\r ]|\xc2[\x85\xa0])+$/, ""), "latin1").digest("hex");

/** Go's rand.Int(rand.Reader, 2^128) as a serial number: its DER INTEGER content and its decimal form. */
export function randomSerial(): { der: Buffer; decimal: string } {
  const n = BigInt("0x" + crypto.randomBytes(16).toString("hex"));
  const hex = n.toString(16).replace(/^(.(..)*)$/, "0$1"); // whole bytes
  return { der: Buffer.from(/^[89a-f]/.test(hex) ? `00${hex}` : hex, "hex"), decimal: n.toString(10) };
}

/** The provider's curve names → node's, and the digest Go's x509 signs with for that curve. */
const CURVES: Record<string, [node: string, digest: string]> = {
  P224: ["secp224r1", "sha256"],
  P256: ["prime256v1", "sha256"],
  P384: ["secp384r1", "sha384"],
  P521: ["secp521r1", "sha512"],
};
export const ECDSA_CURVES: Record<string, string> = Object.fromEntries(Object.entries(CURVES).map(([k, [node]]) => [k, node]));

export interface KeyInfo {
  algorithm: "RSA" | "ECDSA" | "ED25519";
  curve?: string;
  /** Digest Go's x509 signs with for this key (null for ED25519). */
  digest: string | null;
}

export function keyInfo(key: crypto.KeyObject): KeyInfo {
  switch (key.asymmetricKeyType) {
    case "rsa":
      return { algorithm: "RSA", digest: "sha256" };
    case "ec": {
      const curve = Object.keys(CURVES).find((c) => CURVES[c][0] === key.asymmetricKeyDetails?.namedCurve);
      if (!curve) throw new Error(`unsupported ECDSA curve ${key.asymmetricKeyDetails?.namedCurve}`);
      return { algorithm: "ECDSA", curve, digest: CURVES[curve][1] };
    }
    case "ed25519":
      return { algorithm: "ED25519", digest: null };
    default:
      throw new Error(`unsupported private key type ${key.asymmetricKeyType}`);
  }
}

/** x/crypto/ssh's MarshalAuthorizedKey, MarshalPrivateKey (empty comment) and fingerprints; undefined for P224. */
export function opensshKey(key: crypto.KeyObject): { publicKey: string; privateKey: string; md5: string; sha256: string } | undefined {
  if (keyInfo(key).curve === "P224") return undefined;
  const k = sshpk.parsePrivateKey(key.export({ format: "pem", type: "pkcs8" }), "pem");
  k.comment = ""; // sshpk calls unnamed keys "(unnamed)"
  return {
    publicKey: `${k.toPublic().toString("ssh")}\n`,
    // sshpk wraps at 70 columns like ssh-keygen; Go's pem.Encode at 64
    privateKey: pem("OPENSSH PRIVATE KEY", pemDer(k.toString("openssh"), "OPENSSH PRIVATE KEY")),
    md5: k.fingerprint("md5").toString("hex"),
    sha256: k.fingerprint("sha256").toString("base64"),
  };
}

/** The AlgorithmIdentifier Go's x509 signs with for this key, and the signature over `data`. */
function signer(key: crypto.KeyObject): { alg: x509.AlgorithmIdentifier; sign: (data: ArrayBuffer) => ArrayBuffer } {
  const { algorithm, digest } = keyInfo(key);
  const oid =
    algorithm === "RSA" ? "1.2.840.113549.1.1.11" // sha256WithRSAEncryption
    : algorithm === "ED25519" ? "1.3.101.112"
    : { sha256: "1.2.840.10045.4.3.2", sha384: "1.2.840.10045.4.3.3", sha512: "1.2.840.10045.4.3.4" }[digest!]!;
  return {
    alg: new x509.AlgorithmIdentifier({ algorithm: oid, ...(algorithm === "RSA" ? { parameters: null } : {}) }),
    sign: (data) => new Uint8Array(crypto.sign(digest, Buffer.from(data), key)).buffer,
  };
}

// ---------------------------------------------------------------- names

/** pkix.Name's fields in the order of Go's Name.ToRDNSequence, with the provider's input names and short names. */
const NAME_FIELDS: [field: string, oid: string, short: string][] = [
  ["country", "2.5.4.6", "C"],
  ["province", "2.5.4.8", "ST"],
  ["locality", "2.5.4.7", "L"],
  ["streetAddresses", "2.5.4.9", "street"],
  ["postalCode", "2.5.4.17", "postalCode"],
  ["organization", "2.5.4.10", "O"],
  ["organizationalUnit", "2.5.4.11", "OU"],
  ["commonName", "2.5.4.3", "CN"],
  ["serialNumber", "2.5.4.5", "serialNumber"],
];
const OID_EMAIL = "1.2.840.113549.1.9.1";
export const SUBJECT_FIELDS = [...NAME_FIELDS.map(([f]) => f), "emailAddress"];

/** A subject in the provider's input shape (lists allowed for every field). */
export type Subject = Record<string, unknown>;

const values = (v: unknown): string[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]).map(String);

/**
 * Go's Name.ToRDNSequence: one RDN per field (several values share it, sorted like Go's DER SET OF), PrintableString
 * where the value allows it and UTF8String otherwise, an empty commonName/serialNumber left out, and the provider's
 * emailAddress last as an IA5String.
 */
function nameOf(subject: Subject): x509.Name {
  const atv = (type: string, value: x509.AttributeValue) => new x509.AttributeTypeAndValue({ type, value });
  const der = (a: x509.AttributeTypeAndValue) => Buffer.from(AsnConvert.serialize(a));
  const rdns: x509.RelativeDistinguishedName[] = [];
  for (const [field, oid] of NAME_FIELDS) {
    const vs = values(subject[field]).filter((v) => v !== "" || (field !== "commonName" && field !== "serialNumber"));
    if (!vs.length) continue;
    const atvs = vs.map((v) => atv(oid, new x509.AttributeValue(/^[A-Za-z0-9 '()+,\-./:=?]*$/.test(v) ? { printableString: v } : { utf8String: v })));
    rdns.push(new x509.RelativeDistinguishedName(atvs.sort((a, b) => Buffer.compare(der(a), der(b)))));
  }
  for (const email of values(subject.emailAddress)) rdns.push(new x509.RelativeDistinguishedName([atv(OID_EMAIL, new x509.AttributeValue({ ia5String: email }))]));
  return new x509.Name(rdns);
}

/** Go's Name.FillFromRDNSequence: the fields above (other attributes, emailAddress too, are dropped). */
function subjectOf(name: x509.Name): Subject {
  const s: Record<string, string[]> = {};
  for (const a of name.flat()) {
    const field = NAME_FIELDS.find(([, oid]) => oid === a.type)?.[0];
    if (field) s[field] = field === "commonName" || field === "serialNumber" ? [a.value.toString()] : [...(s[field] ?? []), a.value.toString()];
  }
  return s;
}

/** Go's cmp.Equal(subject, pkix.Name{}) in the provider: nothing that would be encoded (an empty commonName is not). */
export const isEmptySubject = (subject: Subject) => nameOf(subject).length === 0;

/** For logs: "/C=DE/O=Example/CN=etcd CA" ("/" when empty). */
export const subjectString = (subject: Subject) =>
  NAME_FIELDS.flatMap(([f, , short]) => values(subject[f]).map((v) => `/${short}=${v}`)).join("") +
    values(subject.emailAddress).map((v) => `/emailAddress=${v}`).join("") || "/";

// ---------------------------------------------------------------- extensions

export interface Sans {
  dnsNames: string[];
  ipAddresses: string[];
  uris: string[];
}

const ext = (extnID: string, critical: boolean, value: object) =>
  new x509.Extension({ extnID, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });

/**
 * An iPAddress as the library encodes it: IPv6 in plain hex groups (the WHATWG URL parser canonicalises, the
 * library cannot read dotted quads inside IPv6), IPv4-mapped IPv6 as IPv4 (Go writes ip.To4() when it is not nil).
 */
function sanIp(ip: string): string {
  if (net.isIPv4(ip)) return ip;
  const hex = new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  const m = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(hex);
  if (!m) return hex;
  const [a, b] = [parseInt(m[1], 16), parseInt(m[2], 16)];
  return [a >> 8, a & 255, b >> 8, b & 255].join(".");
}

/** "::1" → "0:0:0:0:0:0:0:1" (the library writes IPv6 compressed). */
function expandIPv6(ip: string): string {
  if (!ip.includes("::")) return ip;
  const [l, r] = ip.split("::").map((s) => (s ? s.split(":") : []));
  return [...l, ...Array(8 - l.length - r.length).fill("0"), ...r].join(":");
}

/** Go's marshalSANs: DNS names, then IP addresses, then URIs. */
function sanExtension(sans: Sans, critical: boolean): x509.Extension | undefined {
  const names = [
    ...sans.dnsNames.map((dNSName) => new x509.GeneralName({ dNSName })),
    ...sans.ipAddresses.map((ip) => new x509.GeneralName({ iPAddress: sanIp(ip) })),
    ...sans.uris.map((uniformResourceIdentifier) => new x509.GeneralName({ uniformResourceIdentifier })),
  ];
  return names.length ? ext(x509.id_ce_subjectAltName, critical, new x509.SubjectAlternativeName(names)) : undefined;
}

/**
 * The provider's generateSubjectKeyID: SHA-1 over the public key bytes (RSA: PKCS#1 RSAPublicKey, ECDSA:
 * uncompressed point, i.e. the SPKI bit string for both; ED25519: the 32 bytes as an ASN.1 OCTET STRING).
 */
export function subjectKeyId(spkiDer: Buffer): Buffer {
  const spki = AsnConvert.parse(spkiDer, x509.SubjectPublicKeyInfo);
  const bits = spki.subjectPublicKey;
  const bytes = spki.algorithm.algorithm === "1.3.101.112" ? AsnConvert.serialize(new OctetString(bits)) : bits;
  return crypto.createHash("sha1").update(Buffer.from(bytes)).digest();
}

const findExt = (exts: x509.Extension[] | undefined, id: string) => exts?.find((e) => e.extnID === id)?.extnValue.buffer;

/** The subject key identifier extension of a certificate, if any. */
export function certSubjectKeyId(certPem: string): Buffer | undefined {
  const v = findExt(AsnConvert.parse(pemDer(certPem, "CERTIFICATE"), x509.Certificate).tbsCertificate.extensions, x509.id_ce_subjectKeyIdentifier);
  return v && Buffer.from(AsnConvert.parse(v, x509.SubjectKeyIdentifier).buffer);
}

// ---------------------------------------------------------------- requests and certificates

/** Go's x509.CreateCertificateRequest: the SANs go into an extensionRequest attribute. */
export function createCsr(key: crypto.KeyObject, subject: Subject, sans: Sans): { pem: string; der: Buffer } {
  const san = sanExtension(sans, false);
  const spki = crypto.createPublicKey(key).export({ format: "der", type: "spki" });
  const info = new CertificationRequestInfo({
    subject: nameOf(subject),
    subjectPKInfo: AsnConvert.parse(spki, x509.SubjectPublicKeyInfo),
    attributes: new Attributes(san ? [new x509.Attribute({ type: "1.2.840.113549.1.9.14", values: [AsnConvert.serialize(new x509.Extensions([san]))] })] : []),
  });
  const { alg, sign } = signer(key);
  const der = Buffer.from(AsnConvert.serialize(new CertificationRequest({ certificationRequestInfo: info, signatureAlgorithm: alg, signature: sign(AsnConvert.serialize(info)) })));
  return { pem: pem("CERTIFICATE REQUEST", der), der };
}

export interface ParsedCsr extends Sans {
  /** DER of the SubjectPublicKeyInfo. */
  spki: Buffer;
  subjectEmpty: boolean;
  /** The subject as Go's x509.ParseCertificateRequest sees it (what a LocallySignedCert takes over). */
  subject: Subject;
}

/** Reads what the provider's LocallySignedCert takes from a CSR (IPv6 addresses written out in full). */
export function parseCsr(csrPem: string): ParsedCsr {
  const info = AsnConvert.parse(pemDer(csrPem, "CERTIFICATE REQUEST"), CertificationRequest).certificationRequestInfo;
  const request = info.attributes.find((a) => a.type === "1.2.840.113549.1.9.14");
  const san = findExt(request && AsnConvert.parse(request.values[0], x509.Extensions), x509.id_ce_subjectAltName);
  // other name kinds (email, otherName, ...) are not carried into certificates by the provider either
  const names = san ? [...AsnConvert.parse(san, x509.SubjectAlternativeName)] : [];
  return {
    dnsNames: names.flatMap((n) => n.dNSName ?? []),
    ipAddresses: names.flatMap((n) => (n.iPAddress === undefined ? [] : [expandIPv6(n.iPAddress)])),
    uris: names.flatMap((n) => n.uniformResourceIdentifier ?? []),
    spki: Buffer.from(AsnConvert.serialize(info.subjectPKInfo)),
    subjectEmpty: info.subject.length === 0,
    subject: subjectOf(info.subject),
  };
}

/** What the provider puts into an x509.Certificate template. */
export interface CertTemplate {
  subject: Subject;
  sans: Sans;
  /** DER of the certificate's SubjectPublicKeyInfo. */
  spki: Buffer;
  notBefore: Date;
  notAfter: Date;
  /** DER INTEGER content of the serial number. */
  serial: Buffer;
  isCa: boolean;
  /** pathLenConstraint; 0 for none (the provider never sets MaxPathLenZero). */
  maxPathLength: number;
  keyUsage: number;
  extKeyUsage: string[];
  subjectKeyId?: Buffer;
  authorityKeyId?: Buffer;
}

/**
 * Go's x509.CreateCertificate(template, parent): issuer is the parent's subject as it is encoded there, and the
 * authority key id becomes the parent's subject key id when issuer and subject differ. Self-signed without a parent.
 * Extensions in Go's order: key usage (critical), extended key usage, basic constraints (critical), subject key id,
 * authority key id, SANs (critical when the subject is empty).
 */
export function createCertificate(t: CertTemplate, signerKey: crypto.KeyObject, parentPem?: string): string {
  const subject = nameOf(t.subject);
  const subjectDer = Buffer.from(AsnConvert.serialize(subject));
  let issuer = subject;
  let aki = t.authorityKeyId;
  if (parentPem !== undefined) {
    const parent = AsnConvert.parse(pemDer(parentPem, "CERTIFICATE"), x509.Certificate).tbsCertificate;
    issuer = parent.subject;
    const parentSki = certSubjectKeyId(parentPem);
    if (parentSki && !subjectDer.equals(Buffer.from(AsnConvert.serialize(issuer)))) aki = parentSki;
  }
  const extensions = [
    t.keyUsage ? ext(x509.id_ce_keyUsage, true, new x509.KeyUsage(t.keyUsage)) : undefined,
    t.extKeyUsage.length ? ext(x509.id_ce_extKeyUsage, false, new x509.ExtendedKeyUsage(t.extKeyUsage)) : undefined,
    ext(x509.id_ce_basicConstraints, true, new x509.BasicConstraints({ cA: t.isCa, pathLenConstraint: t.maxPathLength > 0 ? t.maxPathLength : undefined })),
    t.subjectKeyId ? ext(x509.id_ce_subjectKeyIdentifier, false, new x509.SubjectKeyIdentifier(t.subjectKeyId)) : undefined,
    aki ? ext(x509.id_ce_authorityKeyIdentifier, false, new x509.AuthorityKeyIdentifier({ keyIdentifier: new x509.KeyIdentifier(aki) })) : undefined,
    sanExtension(t.sans, subject.length === 0),
  ].filter((e): e is x509.Extension => e !== undefined);
  const { alg, sign } = signer(signerKey);
  const tbs = new x509.TBSCertificate({
    version: x509.Version.v3,
    serialNumber: new Uint8Array(t.serial).buffer,
    signature: alg,
    issuer,
    validity: new x509.Validity({ notBefore: t.notBefore, notAfter: t.notAfter }),
    subject,
    subjectPublicKeyInfo: AsnConvert.parse(t.spki, x509.SubjectPublicKeyInfo),
    extensions: new x509.Extensions(extensions),
  });
  const cert = new x509.Certificate({ tbsCertificate: tbs, signatureAlgorithm: alg, signatureValue: sign(AsnConvert.serialize(tbs)) });
  return pem("CERTIFICATE", AsnConvert.serialize(cert));
}
