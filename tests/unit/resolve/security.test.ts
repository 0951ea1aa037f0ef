/** The tls and auth arguments: what is refused (field, value, fix) and what is accepted. */
import { resolveClusterArgs } from "../../../components/resolve/cluster";
import { problemsOf, threeNodeArgs } from "../fixtures";

describe("validation of tls and auth", () => {
    const secret = "-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----";
    const provided = {
        ca: "-----BEGIN CERTIFICATE-----",
        members: { "etcd-n1": { cert: "c1", key: secret }, "etcd-n2": { cert: "c2", key: secret }, "etcd-n3": { cert: "c3", key: secret } },
        client: { cert: "cc", key: secret },
    };
    it.each([
        ["an unknown mode", { tls: { mode: "on" as never } }, /tls\.mode: "on" must be "off", "auto" or "provided"/],
        ["provided without material", { tls: { mode: "provided" as const } }, /tls\.provided: missing/],
        ["provided, one member missing", { tls: { mode: "provided" as const, provided: { ...provided, members: { "etcd-n1": provided.members["etcd-n1"] } } } },
            /tls\.provided\.members\.etcd-n2: missing cert or key/],
        ["provided for an unknown member", { tls: { mode: "provided" as const, provided: { ...provided, members: { ...provided.members, "etcd-n9": { cert: "c", key: "k" } } } } },
            /tls\.provided\.members\.etcd-n9: no member is called "etcd-n9"/],
        ["provided without a client certificate", { tls: { mode: "provided" as const, provided: { ...provided, client: undefined as never } } }, /tls\.provided\.client: missing cert or key/],
        ["provided material with mode auto", { tls: { mode: "auto" as const, provided } }, /tls\.provided: set, but tls\.mode is "auto"/],
        ["validityHours with provided", { tls: { mode: "provided" as const, provided, validityHours: 10 } }, /tls\.validityHours: only used with tls\.mode "auto"/],
        ["validityHours out of range", { tls: { mode: "auto" as const, validityHours: 0 } }, /tls\.validityHours: 0 must be a whole number of hours from 1 to 876000/],
        ["cert auth settings with tls off", { tls: { clientCertAuth: true } }, /tls\.clientCertAuth: set, but tls\.mode is "off"/],
        ["a password with auth off", { auth: { rootPassword: "pw" } }, /auth\.rootPassword: set, but auth\.enabled is false/],
        ["a password with a blank", { auth: { enabled: true, rootPassword: "two words" } }, /auth\.rootPassword: must be non-empty and without whitespace/],
        ["TLS file settings in extraEnv", { extraEnv: { ETCD_CERT_FILE: "/x" } }, /extraEnv\.ETCD_CERT_FILE: the component sets ETCD_CERT_FILE itself; use tls instead/],
        ["dns + http + etcd 3.4", { image: "local/etcd:v3.4.23", bootstrap: { mode: "dns" as const, dns: { domain: "example.com" } } }, /"dns" with http peer URLs cannot bootstrap etcd 3\.4\.23/],
    ])("refuses %s", (_what, over, message) => {
        const problems = problemsOf(threeNodeArgs(over));
        expect(problems.some((p) => message.test(p))).toBe(true);
    });

    it("accepts dns + https on etcd 3.4 (the _etcd-server-ssl records 3.4 needs), provided material, and auth", () => {
        expect(problemsOf(threeNodeArgs({ image: "local/etcd:v3.4.23", tls: { mode: "auto" }, bootstrap: { mode: "dns", dns: { domain: "example.com" } } }))).toEqual([]);
        expect(problemsOf(threeNodeArgs({ tls: { mode: "provided", provided }, auth: { enabled: true, rootPassword: "s3cret" } }))).toEqual([]);
        const c = resolveClusterArgs("seed", threeNodeArgs({ tls: { mode: "provided", provided }, auth: { enabled: true } }));
        expect(c.tls).toMatchObject({ mode: "provided", clientCertAuth: true, peerClientCertAuth: true });
        expect(c.scheme).toBe("https");
    });
});
