/**
 * Encodings for tlsResources.ts, shaped like the output of Go's crypto/x509 and golang.org/x/crypto/ssh (which
 * terraform-provider-tls uses), for the one key the plugin models, ECDSA P-256:
 *
 * - X.509 certificates and PKCS#10 requests are built and read with the @peculiar/asn1-x509 / asn1-csr schemas (the
 *   ASN.1 layer of @peculiar/x509) and signed with node:crypto.sign (ecdsa-with-SHA256, as Go signs for P-256).
 * - OpenSSH keys and fingerprints come from sshpk.
 */
import * as crypto from "node:crypto";
import * as net from "node:net";
import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import * as x509 from "@peculiar/asn1-x509";
import { Attributes, CertificationRequest, CertificationRequestInfo } from "@peculiar/asn1-csr";
import * as sshpk from "sshpk";
import { NotModelled } from "../refuse";
import { nameOf, Subject, subjectOf } from "./tlsNames";

export { isEmptySubject, SUBJECT_FIELDS, subjectString } from "./tlsNames";
export type { Subject } from "./tlsNames";

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

/**
 * The one key this plugin models: ECDSA on P-256 (the only key the component makes), signed with SHA-256 as Go's
 * x509 does for that curve. Any other key, given as a PEM to a certificate or request, is refused.
 */
export interface KeyInfo {
  algorithm: "ECDSA";
  curve: "P256";
}

export function keyInfo(key: crypto.KeyObject): KeyInfo {
  if (key.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
    const what = key.asymmetricKeyType === "ec" ? `ECDSA ${key.asymmetricKeyDetails?.namedCurve}` : String(key.asymmetricKeyType).toUpperCase();
    throw new NotModelled(`the provider plugin models ECDSA P256 keys only, not ${what}`);
  }
  return { algorithm: "ECDSA", curve: "P256" };
}

/** x/crypto/ssh's MarshalAuthorizedKey, MarshalPrivateKey (empty comment) and fingerprints. */
export function opensshKey(key: crypto.KeyObject): { publicKey: string; privateKey: string; md5: string; sha256: string } {
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
  keyInfo(key);
  return {
    alg: new x509.AlgorithmIdentifier({ algorithm: "1.2.840.10045.4.3.2" }), // ecdsa-with-SHA256
    sign: (data) => new Uint8Array(crypto.sign("sha256", Buffer.from(data), key)).buffer,
  };
}

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
 * The provider's generateSubjectKeyID: SHA-1 over the public key bytes (for ECDSA the uncompressed point, i.e. the
 * SPKI bit string).
 */
export function subjectKeyId(spkiDer: Buffer): Buffer {
  const spki = AsnConvert.parse(spkiDer, x509.SubjectPublicKeyInfo);
  return crypto.createHash("sha1").update(Buffer.from(spki.subjectPublicKey)).digest();
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
