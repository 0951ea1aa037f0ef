/**
 * The tls resources made for real (node:crypto, @peculiar/asn1-x509, sshpk), checked with `openssl verify` /
 * `openssl x509 -text` / `openssl asn1parse` and `ssh-keygen` against what Go's crypto/x509 and x/crypto/ssh (inside
 * the real provider) write.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as crypto from "node:crypto";
import { run } from "../../../providers/exec";
import { hashForState } from "../../../providers/tls/tlsFormats";
import { certRequest, locallySignedCert, mapAllowedUses, parseCsr, privateKey, selfSignedCert } from "../../../providers/tls/tlsResources";

jest.setTimeout(60_000);

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "tls-test-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function openssl(args: string[], input?: string): Promise<string> {
  const r = await run("openssl", args, { input });
  if (r.code !== 0) throw new Error(`openssl ${args.join(" ")}: ${r.stdout}${r.stderr}`);
  return r.stdout;
}
const text = (pem: string) => openssl(["x509", "-noout", "-text"], pem);
function file(name: string, content: string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, content);
  return p;
}
const sha1 = (b: Buffer | string) => crypto.createHash("sha1").update(b).digest("hex");
const derOf = (pem: string) => Buffer.from(pem.replace(/-----[A-Z ]+-----|\s/g, ""), "base64");
/** What Go's pem.EncodeToMemory writes: 64 columns, "\n" line ends, a final newline. */
const GO_PEM = /^-----BEGIN ([A-Z ]+)-----\n(?:[A-Za-z0-9+/]{64}\n)*[A-Za-z0-9+/=]{1,64}\n-----END \1-----\n$/;
/** The lines of one extension in `openssl x509 -text` output (header + values). */
function ext(t: string, name: string): string {
  const m = new RegExp(`X509v3 ${name}:( critical)? *\\n\\s+(.*)`).exec(t);
  return m ? `${m[1] ? "critical " : ""}${m[2].trim()}` : "(absent)";
}

describe("tls resources", () => {
  it("PrivateKey: ECDSA P256, the one key the plugin models", async () => {
    const inputs = { algorithm: "ECDSA", ecdsaCurve: "P256" };
    const pemRe = /BEGIN EC PRIVATE KEY/;
    const r = privateKey(inputs);
    const key = crypto.createPrivateKey(r.state.privateKeyPem);
    expect(key.asymmetricKeyType).toBe("ec");
    expect(key.asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
    expect(r.state).toMatchObject({ algorithm: "ECDSA", ecdsaCurve: "P256", rsaBits: 2048 });
    expect(r.state.privateKeyPem).toMatch(pemRe);
    expect(r.state.privateKeyPemPkcs8).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(crypto.createPublicKey(key).export({ format: "pem", type: "spki" })).toBe(r.state.publicKeyPem);
    expect(r.state.publicKeyOpenssh).toMatch(/^ecdsa-sha2-nistp256 /);
    expect(r.secretOutputs).toEqual(expect.arrayContaining(["privateKeyPem", "privateKeyPemPkcs8", "privateKeyOpenssh"]));
    expect(r.summary).not.toContain("PRIVATE");
    {
      // ssh-keygen agrees on the OpenSSH private key, public key and fingerprints
      const kf = file("id-ecdsa-p256", r.state.privateKeyOpenssh);
      fs.chmodSync(kf, 0o600);
      const pub = await run("ssh-keygen", ["-y", "-f", kf]);
      expect(pub.stderr).toBe("");
      expect(pub.stdout.trim()).toBe(r.state.publicKeyOpenssh.trim());
      const pf = file(`${path.basename(kf)}.pub`, r.state.publicKeyOpenssh);
      expect((await run("ssh-keygen", ["-l", "-E", "sha256", "-f", pf])).stdout).toContain(r.state.publicKeyFingerprintSha256);
      expect((await run("ssh-keygen", ["-l", "-E", "md5", "-f", pf])).stdout).toContain(`MD5:${r.state.publicKeyFingerprintMd5}`);
      // x/crypto/ssh's formats: "type base64\n" without a comment, fingerprints as FingerprintLegacyMD5 /
      // FingerprintSHA256 print them, and the private key with an empty comment
      expect(r.state.publicKeyOpenssh).toMatch(/^ecdsa-sha2-nistp256 [A-Za-z0-9+/]+={0,2}\n$/);
      expect(r.state.publicKeyFingerprintMd5).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){15}$/);
      expect(r.state.publicKeyFingerprintSha256).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
      const alone = file(`${path.basename(kf)}-alone`, r.state.privateKeyOpenssh); // no .pub beside it to take the comment from
      fs.chmodSync(alone, 0o600);
      const priv = await run("ssh-keygen", ["-l", "-E", "sha256", "-f", alone]);
      expect(priv.stdout.trim()).toMatch(new RegExp(`^\\d+ ${r.state.publicKeyFingerprintSha256.replace(/[+/]/g, "\\$&")} +\\([A-Z0-9-]+\\)$`));
    }
    // every PEM as Go's pem.EncodeToMemory writes it (the OpenSSH key too: 64 columns, not ssh-keygen's 70)
    for (const k of ["privateKeyPem", "privateKeyPemPkcs8", "publicKeyPem", "privateKeyOpenssh"]) {
      if (r.state[k]) expect(r.state[k]).toMatch(GO_PEM);
    }
    // the id is the provider's hashForState of the public key DER
    const spki = crypto.createPublicKey(key).export({ format: "der", type: "spki" });
    expect(r.id).toBe(hashForState(spki));
  });

  it("hashForState trims like Go's strings.TrimSpace before hashing", () => {
    expect(hashForState(Buffer.from("0ab \t\r\n\v\f"))).toBe(sha1("0ab"));
    expect(hashForState(Buffer.from([0x30, 0x41, 0xc2, 0xa0, 0x20, 0xc2, 0x85]))).toBe(sha1(Buffer.from([0x30, 0x41])));
    expect(hashForState(Buffer.from([0x30, 0x41, 0xa0]))).toBe(sha1(Buffer.from([0x30, 0x41, 0xa0]))); // not UTF-8: kept
  });

  it("rejects what the provider rejects, and inputs it does not implement", async () => {
    expect(() => privateKey({ algorithm: "RSA" })).toThrow("the provider plugin models ECDSA P256 keys only, not RSA");
    expect(() => privateKey({ algorithm: "ECDSA" })).toThrow("the provider plugin models ECDSA P256 keys only, not ECDSA P224");
    expect(() => privateKey({ algorithm: "ECDSA", ecdsaCurve: "P384" })).toThrow("not ECDSA P384");
    const rsa = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "pem", type: "pkcs1" }) as string;
    await expect(certRequest({ privateKeyPem: rsa, subject: { commonName: "x" } })).rejects.toThrow("ECDSA P256 keys only, not RSA");
    expect(() => mapAllowedUses(["certSigning"])).toThrow(/the tls provider only accepts "cert_signing"/);
    const key = privateKey({ algorithm: "ECDSA", ecdsaCurve: "P256" }).state.privateKeyPem;
    await expect(selfSignedCert({ privateKeyPem: key, validityPeriodHours: 1, allowedUses: [], privateKeyPemWo: "x" })).rejects.toThrow(
      "the provider plugin does not model tls SelfSignedCert input 'privateKeyPemWo'",
    );
    await expect(selfSignedCert({ privateKeyPem: key, validityPeriodHours: 1, allowedUses: [], isCaCertificate: true })).rejects.toThrow(
      /CA certificate must have at least one subject field/,
    );
    await expect(selfSignedCert({ privateKeyPem: key, validityPeriodHours: 1, allowedUses: [], setAuthorityKeyId: true, subject: { commonName: "x" } })).rejects.toThrow(
      /setAuthorityKeyId needs a subject key id/,
    );
    await expect(certRequest({ privateKeyPem: key, subject: { commonName: "x", title: "y" } })).rejects.toThrow(
      "the provider plugin does not model tls CertRequest subject input 'title'",
    );
    await expect(certRequest({ privateKeyPem: key, ipAddresses: ["10.0.0.300"] })).rejects.toThrow(/invalid IP address/);
  });

  it("CA + server and client certificates verify and carry what was asked", async () => {
    const algorithm = "ECDSA";
    const caKey = privateKey({ algorithm, ecdsaCurve: "P256" });
    const now = new Date();
    const ca = await selfSignedCert(
      {
        privateKeyPem: caKey.state.privateKeyPem,
        subject: { commonName: "etcd CA", organization: "Example/Org", country: "DE" },
        validityPeriodHours: 87600,
        isCaCertificate: true,
        setAuthorityKeyId: true,
        allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
      },
      { now },
    );
    const caText = await text(ca.state.certPem);
    expect(caText).toMatch(/Subject: C = DE, O = Example\/Org, CN = etcd CA/);
    expect(caText).toMatch(/Issuer: C = DE, O = Example\/Org, CN = etcd CA/);
    expect(ext(caText, "Basic Constraints")).toBe("critical CA:TRUE");
    expect(ext(caText, "Key Usage")).toBe("critical Digital Signature, Certificate Sign, CRL Sign");
    expect(ext(caText, "Extended Key Usage")).toBe("(absent)");
    const ski = ext(caText, "Subject Key Identifier");
    expect(ski).toMatch(/^[0-9A-F]{2}(:[0-9A-F]{2}){19}$/);
    expect(ext(caText, "Authority Key Identifier")).toBe(ski);
    const caX = new crypto.X509Certificate(ca.state.certPem);
    expect(new Date(caX.validFrom).getTime()).toBe(new Date(ca.state.validityStartTime).getTime());
    expect(new Date(caX.validTo).getTime() - new Date(caX.validFrom).getTime()).toBe(87600 * 3600_000);
    expect(Math.abs(new Date(ca.state.validityStartTime).getTime() - now.getTime())).toBeLessThan(1000);
    expect(ca.state.keyAlgorithm).toBe(algorithm);
    expect(ca.state.readyForRenewal).toBe(false);
    expect(ca.id).toBe(BigInt("0x" + caX.serialNumber).toString(10));
    expect(caText).toContain("ecdsa-with-SHA256"); // Go signs with SHA-256 for P-256
    // the subject key id is computed like the provider: SHA-1 over the public key bytes (the uncompressed point)
    const spki = crypto.createPublicKey(caKey.state.privateKeyPem).export({ format: "der", type: "spki" });
    expect(ski.replace(/:/g, "").toLowerCase()).toBe(crypto.createHash("sha1").update(spki.subarray(spki.length - 65)).digest("hex"));
    expect(ca.state.certPem).toMatch(GO_PEM);
    // Go's string types: PrintableString where the value allows it
    expect(await openssl(["asn1parse"], ca.state.certPem)).toMatch(/PRINTABLESTRING +:etcd CA/);
    const caFile = file(`ca-${algorithm}.pem`, ca.state.certPem);

    for (const role of ["server", "client"] as const) {
      const key = privateKey({ algorithm: "ECDSA", ecdsaCurve: "P256" });
      const csr = await certRequest({
        privateKeyPem: key.state.privateKeyPem,
        subject: { commonName: `etcd-${role}`, organization: "etcd" },
        dnsNames: role === "server" ? ["etcd-1", "etcd-1.example.internal"] : [],
        ipAddresses: role === "server" ? ["127.0.0.1", "10.1.2.3", "::1"] : [],
        uris: role === "server" ? ["spiffe://example/etcd-1"] : [],
      });
      expect(csr.state.certRequestPem).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----/);
      await openssl(["req", "-verify", "-noout"], csr.state.certRequestPem);
      expect(csr.state.certRequestPem).toMatch(GO_PEM);
      expect(csr.id).toBe(hashForState(derOf(csr.state.certRequestPem)));
      // Go puts the SANs, non-critical, into an extensionRequest attribute and has no attribute without SANs
      const reqText = await openssl(["req", "-noout", "-text"], csr.state.certRequestPem);
      expect(ext(reqText, "Subject Alternative Name")).toBe(
        role === "server" ? "DNS:etcd-1, DNS:etcd-1.example.internal, IP Address:127.0.0.1, IP Address:10.1.2.3, IP Address:0:0:0:0:0:0:0:1, URI:spiffe://example/etcd-1" : "(absent)",
      );
      if (role === "client") expect(reqText).toMatch(/Attributes:\s+\(none\)/);
      const parsed = parseCsr(csr.state.certRequestPem);
      if (role === "server") {
        expect(parsed).toMatchObject({
          dnsNames: ["etcd-1", "etcd-1.example.internal"],
          ipAddresses: ["127.0.0.1", "10.1.2.3", "0:0:0:0:0:0:0:1"],
          uris: ["spiffe://example/etcd-1"],
        });
      }
      const uses = role === "server" ? ["key_encipherment", "digital_signature", "server_auth", "client_auth"] : ["digital_signature", "client_auth"];
      const cert = await locallySignedCert({
        certRequestPem: csr.state.certRequestPem,
        caPrivateKeyPem: caKey.state.privateKeyPem,
        caCertPem: ca.state.certPem,
        validityPeriodHours: 24,
        earlyRenewalHours: 2,
        allowedUses: uses,
      });
      const t = await text(cert.state.certPem);
      expect(t).toMatch(new RegExp(`Subject: O = etcd, CN = etcd-${role}`));
      expect(t).toMatch(/Issuer: C = DE, O = Example\/Org, CN = etcd CA/);
      expect(ext(t, "Basic Constraints")).toBe("critical CA:FALSE");
      expect(ext(t, "Key Usage")).toBe(role === "server" ? "critical Digital Signature, Key Encipherment" : "critical Digital Signature");
      expect(ext(t, "Extended Key Usage")).toBe(
        role === "server" ? "TLS Web Server Authentication, TLS Web Client Authentication" : "TLS Web Client Authentication",
      );
      expect(ext(t, "Subject Alternative Name")).toBe(
        role === "server" ? "DNS:etcd-1, DNS:etcd-1.example.internal, IP Address:127.0.0.1, IP Address:10.1.2.3, IP Address:0:0:0:0:0:0:0:1, URI:spiffe://example/etcd-1" : "(absent)",
      );
      expect(ext(t, "Subject Key Identifier")).toBe("(absent)");
      expect(ext(t, "Authority Key Identifier")).toBe(ski); // Go copies the CA's subject key id
      const x = new crypto.X509Certificate(cert.state.certPem);
      expect(x.checkPrivateKey(crypto.createPrivateKey(key.state.privateKeyPem))).toBe(true);
      expect(new Date(x.validTo).getTime() - new Date(x.validFrom).getTime()).toBe(24 * 3600_000);
      expect(cert.state.validityEndTime).toBe(new Date(x.validTo).toISOString().replace(".000", ""));
      expect(cert.state.caKeyAlgorithm).toBe(algorithm);
      const f = file(`${role}-${algorithm}.pem`, cert.state.certPem);
      const purpose = role === "server" ? "sslserver" : "sslclient";
      expect((await openssl(["verify", "-CAfile", caFile, "-purpose", purpose, f])).trim()).toBe(`${f}: OK`);
      if (role === "client") {
        // a client-only certificate is not good for a server
        const r = await run("openssl", ["verify", "-CAfile", caFile, "-purpose", "sslserver", f]);
        expect(r.code).not.toBe(0);
      }
    }
  });

  it("intermediate CA with maxPathLength and setSubjectKeyId; a cert from another CA does not verify", async () => {
    const rootKey = privateKey({ algorithm: "ECDSA", ecdsaCurve: "P256" }).state.privateKeyPem;
    const root = await selfSignedCert({
      privateKeyPem: rootKey, subject: { commonName: "root" }, validityPeriodHours: 10, isCaCertificate: true, allowedUses: ["cert_signing"],
    });
    const interKey = privateKey({ algorithm: "ECDSA", ecdsaCurve: "P256" }).state.privateKeyPem;
    const interCsr = await certRequest({ privateKeyPem: interKey, subject: { commonName: "inter" } });
    const inter = await locallySignedCert({
      certRequestPem: interCsr.state.certRequestPem, caPrivateKeyPem: rootKey, caCertPem: root.state.certPem,
      validityPeriodHours: 5, isCaCertificate: true, maxPathLength: 1, allowedUses: ["cert_signing"],
    });
    const t = await text(inter.state.certPem);
    expect(ext(t, "Basic Constraints")).toBe("critical CA:TRUE, pathlen:1");
    expect(ext(t, "Subject Key Identifier")).toMatch(/^[0-9A-F:]{59}$/);
    const other = await selfSignedCert({
      privateKeyPem: privateKey({ algorithm: "ECDSA", ecdsaCurve: "P256" }).state.privateKeyPem,
      subject: { commonName: "root" }, validityPeriodHours: 1, isCaCertificate: true, allowedUses: ["cert_signing"],
    });
    const rootFile = file("root.pem", root.state.certPem);
    const interFile = file("inter.pem", inter.state.certPem);
    expect((await openssl(["verify", "-CAfile", rootFile, interFile])).trim()).toBe(`${interFile}: OK`);
    const r = await run("openssl", ["verify", "-CAfile", file("other.pem", other.state.certPem), interFile]);
    expect(r.code).not.toBe(0);
    await expect(
      locallySignedCert({
        certRequestPem: interCsr.state.certRequestPem, caPrivateKeyPem: rootKey, caCertPem: other.state.certPem,
        validityPeriodHours: 1, allowedUses: [],
      }),
    ).rejects.toThrow(/caPrivateKeyPem does not match caCertPem/);
    // a self-signed leaf with setSubjectKeyId but no CA flag
    const leaf = await selfSignedCert({
      privateKeyPem: interKey, subject: { commonName: "leaf" }, validityPeriodHours: 1, setSubjectKeyId: true, allowedUses: ["server_auth"],
      dnsNames: ["leaf.example"],
    });
    const lt = await text(leaf.state.certPem);
    expect(ext(lt, "Basic Constraints")).toBe("critical CA:FALSE");
    expect(ext(lt, "Subject Key Identifier")).not.toBe("(absent)");
    expect(ext(lt, "Authority Key Identifier")).toBe("(absent)");
    expect(ext(lt, "Key Usage")).toBe("(absent)");
    expect(ext(lt, "Subject Alternative Name")).toBe("DNS:leaf.example");
  });
});

describe("tls resources: details Go's crypto/x509 would write", () => {
  const ALL_USES = [
    "digital_signature", "content_commitment", "key_encipherment", "data_encipherment", "key_agreement", "cert_signing",
    "crl_signing", "encipher_only", "decipher_only", "any_extended", "server_auth", "client_auth", "code_signing",
    "email_protection", "ipsec_end_system", "ipsec_tunnel", "ipsec_user", "timestamping", "ocsp_signing",
    "microsoft_server_gated_crypto", "netscape_server_gated_crypto", "microsoft_commercial_code_signing", "microsoft_kernel_code_signing",
  ];

  it("a CA with every allowed use, a 2060 end date and Go's name encoding", async () => {
    const caKey = privateKey({ algorithm: "ECDSA", ecdsaCurve: "P256" }).state.privateKeyPem;
    const ca = await selfSignedCert({
      privateKeyPem: caKey,
      subject: { commonName: "ca", organization: "A&B", emailAddress: "ca@example.com", streetAddresses: ["2 Main St", "1 Main St"] },
      validityPeriodHours: 300_000,
      isCaCertificate: true,
      allowedUses: ALL_USES,
    });
    const t = await text(ca.state.certPem);
    expect(t).toContain("Signature Algorithm: ecdsa-with-SHA256");
    expect(t).toContain("NIST CURVE: P-256");
    // one RDN for both street addresses (sorted as DER SET OF), emailAddress last
    expect(t).toMatch(/Subject: street = 1 Main St \+ street = 2 Main St, O = A&B, CN = ca, emailAddress = ca@example.com\n/);
    const asn = await openssl(["asn1parse"], ca.state.certPem);
    expect(asn).toMatch(/PRINTABLESTRING +:ca\n/);
    expect(asn).toMatch(/UTF8STRING +:A&B\n/); // '&' is not printable
    expect(asn).toMatch(/IA5STRING +:ca@example.com\n/);
    // UTCTime up to 2049, GeneralizedTime after
    expect(asn).toMatch(/UTCTIME +:\d{12}Z\n[^\n]*GENERALIZEDTIME +:20\d{12}Z\n/);
    const x = new crypto.X509Certificate(ca.state.certPem);
    expect(new Date(x.validTo).getTime() - new Date(x.validFrom).getTime()).toBe(300_000 * 3600_000);
    expect(ca.state.validityEndTime).toBe(new Date(x.validTo).toISOString().replace(".000", ""));
    expect(ext(t, "Key Usage")).toBe(
      "critical Digital Signature, Non Repudiation, Key Encipherment, Data Encipherment, Key Agreement, Certificate Sign, CRL Sign, Encipher Only, Decipher Only",
    );
    expect(ext(t, "Extended Key Usage")).toBe(
      "Any Extended Key Usage, TLS Web Server Authentication, TLS Web Client Authentication, Code Signing, E-mail Protection, " +
        "IPSec End System, IPSec Tunnel, IPSec User, Time Stamping, OCSP Signing, Microsoft Server Gated Crypto, " +
        "Netscape Server Gated Crypto, Microsoft Commercial Code Signing, 1.3.6.1.4.1.311.61.1.1",
    );
    expect(ext(t, "Authority Key Identifier")).toBe("(absent)"); // setAuthorityKeyId not set

    // a leaf: the CSR's subject is re-encoded like Go's pkix.Name (emailAddress dropped), IPv4-mapped IPv6 is IPv4
    const leafKey = privateKey({ algorithm: "ECDSA", ecdsaCurve: "P256" }).state.privateKeyPem;
    const csr = await certRequest({
      privateKeyPem: leafKey, subject: { commonName: "leaf", emailAddress: "leaf@example.com" }, ipAddresses: ["::ffff:10.9.8.7", "2001:db8::1"],
    });
    expect(await openssl(["req", "-noout", "-subject"], csr.state.certRequestPem)).toContain("CN = leaf, emailAddress = leaf@example.com");
    expect(await openssl(["req", "-noout", "-text"], csr.state.certRequestPem)).toContain("Signature Algorithm: ecdsa-with-SHA256");
    expect(parseCsr(csr.state.certRequestPem).ipAddresses).toEqual(["10.9.8.7", "2001:db8:0:0:0:0:0:1"]);
    const leaf = await locallySignedCert({
      certRequestPem: csr.state.certRequestPem, caPrivateKeyPem: caKey, caCertPem: ca.state.certPem, validityPeriodHours: 1, allowedUses: [],
    });
    const lt = await text(leaf.state.certPem);
    expect(lt).toMatch(/Subject: CN = leaf\n/);
    expect(ext(lt, "Subject Alternative Name")).toBe("IP Address:10.9.8.7, IP Address:2001:DB8:0:0:0:0:0:1");
    expect(ext(lt, "Key Usage")).toBe("(absent)");
    expect(ext(lt, "Extended Key Usage")).toBe("(absent)");
    expect(ext(lt, "Authority Key Identifier")).toBe(ext(t, "Subject Key Identifier"));
    const caFile = file("ca-all-uses.pem", ca.state.certPem);
    const leafFile = file("leaf-mapped-ip.pem", leaf.state.certPem);
    expect((await openssl(["verify", "-CAfile", caFile, leafFile])).trim()).toBe(`${leafFile}: OK`);
  });

  it("an empty subject makes the SAN extension critical", async () => {
    const key = privateKey({ algorithm: "ECDSA", ecdsaCurve: "P256" }).state.privateKeyPem;
    const c = await selfSignedCert({ privateKeyPem: key, dnsNames: ["only.example"], validityPeriodHours: 1, allowedUses: ["server_auth"] });
    const t = await text(c.state.certPem);
    expect(t).toMatch(/Subject: *\n/);
    expect(ext(t, "Subject Alternative Name")).toBe("critical DNS:only.example");
    expect(ext(t, "Subject Key Identifier")).toBe("(absent)");
    expect(c.id).toBe(BigInt("0x" + new crypto.X509Certificate(c.state.certPem).serialNumber).toString(10));
  });

  it("refuses what Go's x509 refuses", async () => {
    const key = privateKey({ algorithm: "ECDSA", ecdsaCurve: "P256" }).state.privateKeyPem;
    await expect(
      selfSignedCert({ privateKeyPem: key, subject: { commonName: "x" }, validityPeriodHours: 1, allowedUses: [], maxPathLength: 2 }),
    ).rejects.toThrow(/only CAs are allowed to specify MaxPathLen/);
    // pkix.Name{CommonName: ""} equals the empty name the provider refuses for a CA
    await expect(
      selfSignedCert({ privateKeyPem: key, subject: { commonName: "" }, validityPeriodHours: 1, allowedUses: [], isCaCertificate: true }),
    ).rejects.toThrow(/CA certificate must have at least one subject field/);
    await expect(certRequest({ privateKeyPem: key, dnsNames: ["bücher.example"] })).rejects.toThrow(/cannot be encoded as an IA5String/);
    await expect(certRequest({ privateKeyPem: key, ipAddresses: ["fe80::1%eth0"] })).rejects.toThrow(/invalid IP address/);
  });
});

