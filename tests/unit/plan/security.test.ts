/** Secure clusters, the planning: per tls choice the URLs, TLS variables, uploads and flags; certificate SANs. Pure. */
import { foundingLines, memberEnv } from "../../../components/plan/member";
import { planCluster } from "../../../components/plan/cluster";
import { certSans } from "../../../components/plan/security";
import { resolveClusterArgs } from "../../../components/resolve/cluster";
import { threeNodeArgs } from "../fixtures";

const tlsEnvKeys = [
    "ETCD_CERT_FILE", "ETCD_KEY_FILE", "ETCD_TRUSTED_CA_FILE", "ETCD_CLIENT_CERT_AUTH",
    "ETCD_PEER_CERT_FILE", "ETCD_PEER_KEY_FILE", "ETCD_PEER_TRUSTED_CA_FILE", "ETCD_PEER_CLIENT_CERT_AUTH",
];
const keysOf = (env: string[]) => env.map((e) => e.split("=")[0]);

describe("planning per tls choice", () => {
    it("tls off (the default): http URLs, no TLS variables, no uploads, plain etcdctl", () => {
        const plan = planCluster(resolveClusterArgs("seed", threeNodeArgs()));
        const m = plan.members[0];
        expect(plan.clientEndpoints[0]).toBe("http://10.0.0.137:2379");
        expect(keysOf(m.env).filter((k) => tlsEnvKeys.includes(k))).toEqual([]);
        expect(m.uploads).toEqual([]);
        expect(plan.etcdctlFlags).toEqual([]);
        expect(m.healthcheckTest).toEqual(["CMD", "/usr/local/bin/etcdctl", "--endpoints=http://127.0.0.1:2379", "endpoint", "health"]);
        expect(plan.auth).toBe(false);
    });

    it("tls auto: https everywhere, the TLS variables with client and peer cert auth on, keys uploaded 0600", () => {
        const plan = planCluster(resolveClusterArgs("seed", threeNodeArgs({ tls: { mode: "auto" } })));
        const m = plan.members[0];
        expect(plan.clientEndpoints).toEqual(["https://10.0.0.137:2379", "https://10.0.0.138:2379", "https://10.0.0.139:2379"]);
        expect(plan.initialCluster).toBe("etcd-n1=https://10.0.0.137:2380,etcd-n2=https://10.0.0.138:2380,etcd-n3=https://10.0.0.139:2380");
        expect(memberEnv(m, foundingLines(m), "tok")).toEqual(expect.arrayContaining([
            "ETCD_LISTEN_CLIENT_URLS=https://0.0.0.0:2379",
            "ETCD_LISTEN_PEER_URLS=https://0.0.0.0:2380",
            "ETCD_CERT_FILE=/etc/etcd/pki/server.crt",
            "ETCD_KEY_FILE=/etc/etcd/pki/server.key",
            "ETCD_TRUSTED_CA_FILE=/etc/etcd/pki/ca.crt",
            "ETCD_CLIENT_CERT_AUTH=true",
            "ETCD_PEER_CERT_FILE=/etc/etcd/pki/peer.crt",
            "ETCD_PEER_KEY_FILE=/etc/etcd/pki/peer.key",
            "ETCD_PEER_TRUSTED_CA_FILE=/etc/etcd/pki/ca.crt",
            "ETCD_PEER_CLIENT_CERT_AUTH=true",
        ]));
        expect(m.uploads.map((u) => [u.file, u.material, u.permissions])).toEqual([
            ["/etc/etcd/pki/ca.crt", "ca", "0644"],
            ["/etc/etcd/pki/server.crt", "serverCert", "0644"],
            ["/etc/etcd/pki/server.key", "serverKey", "0600"],
            ["/etc/etcd/pki/peer.crt", "peerCert", "0644"],
            ["/etc/etcd/pki/peer.key", "peerKey", "0600"],
            ["/etc/etcd/pki/client.crt", "clientCert", "0644"],
            ["/etc/etcd/pki/client.key", "clientKey", "0600"],
        ]);
        const flags = ["--cacert=/etc/etcd/pki/ca.crt", "--cert=/etc/etcd/pki/client.crt", "--key=/etc/etcd/pki/client.key"];
        expect(plan.etcdctlFlags).toEqual(flags);
        expect(m.healthcheckTest).toEqual(["CMD", "/usr/local/bin/etcdctl", "--endpoints=https://127.0.0.1:2379", ...flags, "endpoint", "health"]);
        expect(m.env.every((e) => !/BEGIN|PRIVATE/.test(e))).toBe(true);
    });

    it("clientCertAuth/peerClientCertAuth false drop the CERT_AUTH settings (and the client CA), keep the peer CA", () => {
        const plan = planCluster(resolveClusterArgs("seed", threeNodeArgs({ tls: { mode: "auto", clientCertAuth: false, peerClientCertAuth: false } })));
        const keys = keysOf(plan.members[0].env);
        expect(keys).toEqual(expect.arrayContaining(["ETCD_CERT_FILE", "ETCD_PEER_TRUSTED_CA_FILE"]));
        expect(keys).not.toContain("ETCD_CLIENT_CERT_AUTH");
        expect(keys).not.toContain("ETCD_TRUSTED_CA_FILE");
        expect(keys).not.toContain("ETCD_PEER_CLIENT_CERT_AUTH");
    });

    it.each([
        ["auth without client-cert login: endpoint status (endpoint health would say 'user name is empty')", { auth: { enabled: true } }, "status", true],
        ["auth with client-cert login (tls auto): endpoint health", { auth: { enabled: true }, tls: { mode: "auto" as const } }, "health", true],
        ["no auth: endpoint health", {}, "health", false],
    ])("the Docker healthcheck with %s", (_case, over, command, auth) => {
        const plan = planCluster(resolveClusterArgs("seed", threeNodeArgs(over)));
        expect(plan.members[0].healthcheckTest.slice(-2)).toEqual(["endpoint", command]);
        expect(plan.auth).toBe(auth);
    });
});

describe("certificate SANs", () => {
    it("cover the member's address and the in-container names", () => {
        const plan = planCluster(resolveClusterArgs("seed", threeNodeArgs({ tls: { mode: "auto" } })));
        expect(plan.members[1].certSans).toEqual({ dnsNames: ["localhost"], ipAddresses: ["10.0.0.138", "127.0.0.1"] });
    });

    it("cover the DNS name and the SRV domain in dns mode; a DNS-name address is a DNS SAN", () => {
        const plan = planCluster(resolveClusterArgs("seed", threeNodeArgs({
            tls: { mode: "auto" },
            bootstrap: { mode: "dns", dns: { domain: "example.com" } },
        })));
        expect(plan.members[0].certSans).toEqual({ dnsNames: ["etcd-n1.example.com", "example.com", "localhost"], ipAddresses: ["10.0.0.137", "127.0.0.1"] });
        expect(certSans({ mode: "static" }, { name: "a", address: "etcd-a.example.com" })).toEqual({ dnsNames: ["etcd-a.example.com", "localhost"], ipAddresses: ["127.0.0.1"] });
    });

    it("dns mode with TLS renders _etcd-server-ssl / _etcd-client-ssl records and https advertise URLs", () => {
        const plan = planCluster(resolveClusterArgs("seed", threeNodeArgs({ tls: { mode: "auto" }, bootstrap: { mode: "dns", dns: { domain: "example.com" } } })));
        expect(plan.dns!.dnsmasqConfig).toContain("srv-host=_etcd-server-ssl._tcp.example.com,etcd-n1.example.com,2380,0,100\n");
        expect(plan.dns!.dnsmasqConfig).toContain("srv-host=_etcd-client-ssl._tcp.example.com,etcd-n1.example.com,2379,0,100\n");
        expect(plan.peerUrls[0]).toBe("https://etcd-n1.example.com:2380");
    });
});
