/**
 * Subjects for tlsFormats.ts: the provider's subject inputs encoded the way Go's crypto/x509 encodes a pkix.Name,
 * and read back the way Go fills one from a certificate request.
 */
import * as x509 from "@peculiar/asn1-x509";
import { AsnConvert } from "@peculiar/asn1-schema";

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
export function nameOf(subject: Subject): x509.Name {
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
export function subjectOf(name: x509.Name): Subject {
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
