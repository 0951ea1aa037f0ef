/** Secure clusters, the pure part: validation of `tls`/`auth`, SANs, env, uploads and the auth script. No mocks. */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { memberEnv } from "../../components/plan/member";
import { planCluster } from "../../components/plan/cluster";
import { resolveClusterArgs } from "../../components/resolve/cluster";
import { healthCheckScript, healthCheckSpec } from "../../components/scripts/healthCheck";
import { authEnableScript } from "../../components/scripts/auth";
import { certSans, tlsFiles } from "../../components/plan/security";
import { rootPasswordEnv } from "../../components/scripts/shell";
import { problemsOf, seedArgs } from "./fixtures";

const tlsEnvKeys = [
    "ETCD_CERT_FILE", "ETCD_KEY_FILE", "ETCD_TRUSTED_CA_FILE", "ETCD_CLIENT_CERT_AUTH",
    "ETCD_PEER_CERT_FILE", "ETCD_PEER_KEY_FILE", "ETCD_PEER_TRUSTED_CA_FILE", "ETCD_PEER_CLIENT_CERT_AUTH",
];
const keysOf = (env: string[]) => env.map((e) => e.split("=")[0]);

describe("planning per tls choice", () => {
    it("tls off (the default): http URLs, no TLS variables, no uploads, plain etcdctl", () => {
        const plan = planCluster(resolveClusterArgs("seed", seedArgs()));
        const m = plan.members[0];
        expect(plan.clientEndpoints[0]).toBe("http://10.0.0.137:2379");
        expect(keysOf(m.env).filter((k) => tlsEnvKeys.includes(k))).toEqual([]);
        expect(m.uploads).toEqual([]);
        expect(plan.etcdctlFlags).toEqual([]);
        expect(m.healthcheckTest).toEqual(["CMD", "/usr/local/bin/etcdctl", "--endpoints=http://127.0.0.1:2379", "endpoint", "health"]);
        expect(plan.auth).toBe(false);
    });

    it("tls auto: https everywhere, the TLS variables with client and peer cert auth on, keys uploaded 0600", () => {
        const plan = planCluster(resolveClusterArgs("seed", seedArgs({ tls: { mode: "auto" } })));
        const m = plan.members[0];
        expect(plan.clientEndpoints).toEqual(["https://10.0.0.137:2379", "https://10.0.0.138:2379", "https://10.0.0.139:2379"]);
        expect(plan.initialCluster).toBe("etcd-n1=https://10.0.0.137:2380,etcd-n2=https://10.0.0.138:2380,etcd-n3=https://10.0.0.139:2380");
        expect(memberEnv(m, "tok")).toEqual(expect.arrayContaining([
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
        const plan = planCluster(resolveClusterArgs("seed", seedArgs({ tls: { mode: "auto", clientCertAuth: false, peerClientCertAuth: false } })));
        const keys = keysOf(plan.members[0].env);
        expect(keys).toEqual(expect.arrayContaining(["ETCD_CERT_FILE", "ETCD_PEER_TRUSTED_CA_FILE"]));
        expect(keys).not.toContain("ETCD_CLIENT_CERT_AUTH");
        expect(keys).not.toContain("ETCD_TRUSTED_CA_FILE");
        expect(keys).not.toContain("ETCD_PEER_CLIENT_CERT_AUTH");
    });

    it("auth without client-cert login: the Docker healthcheck asks endpoint status (endpoint health would say 'user name is empty')", () => {
        expect(planCluster(resolveClusterArgs("seed", seedArgs({ auth: { enabled: true } }))).members[0].healthcheckTest.slice(-2)).toEqual(["endpoint", "status"]);
        expect(planCluster(resolveClusterArgs("seed", seedArgs({ auth: { enabled: true }, tls: { mode: "auto" } }))).members[0].healthcheckTest.slice(-2)).toEqual(["endpoint", "health"]);
        expect(planCluster(resolveClusterArgs("seed", seedArgs({ auth: { enabled: true } }))).auth).toBe(true);
    });
});

describe("certificate SANs", () => {
    it("cover the member's address and the in-container names", () => {
        const plan = planCluster(resolveClusterArgs("seed", seedArgs({ tls: { mode: "auto" } })));
        expect(plan.members[1].certSans).toEqual({ dnsNames: ["localhost"], ipAddresses: ["10.0.0.138", "127.0.0.1"] });
    });

    it("cover the DNS name and the SRV domain in dns mode; a DNS-name address is a DNS SAN", () => {
        const plan = planCluster(resolveClusterArgs("seed", seedArgs({
            tls: { mode: "auto" },
            bootstrap: { mode: "dns", dns: { domain: "example.com" } },
        })));
        expect(plan.members[0].certSans).toEqual({ dnsNames: ["etcd-n1.example.com", "example.com", "localhost"], ipAddresses: ["10.0.0.137", "127.0.0.1"] });
        expect(certSans({ mode: "static" }, { name: "a", address: "etcd-a.example.com" })).toEqual({ dnsNames: ["etcd-a.example.com", "localhost"], ipAddresses: ["127.0.0.1"] });
    });

    it("dns mode with TLS renders _etcd-server-ssl / _etcd-client-ssl records and https advertise URLs", () => {
        const plan = planCluster(resolveClusterArgs("seed", seedArgs({ tls: { mode: "auto" }, bootstrap: { mode: "dns", dns: { domain: "example.com" } } })));
        expect(plan.dns!.dnsmasqConfig).toContain("srv-host=_etcd-server-ssl._tcp.example.com,etcd-n1.example.com,2380,0,100\n");
        expect(plan.dns!.dnsmasqConfig).toContain("srv-host=_etcd-client-ssl._tcp.example.com,etcd-n1.example.com,2379,0,100\n");
        expect(plan.peerUrls[0]).toBe("https://etcd-n1.example.com:2380");
    });
});

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
        const problems = problemsOf(seedArgs(over));
        expect(problems.some((p) => message.test(p))).toBe(true);
    });

    it("accepts dns + https on etcd 3.4 (the _etcd-server-ssl records 3.4 needs), provided material, and auth", () => {
        expect(problemsOf(seedArgs({ image: "local/etcd:v3.4.23", tls: { mode: "auto" }, bootstrap: { mode: "dns", dns: { domain: "example.com" } } }))).toEqual([]);
        expect(problemsOf(seedArgs({ tls: { mode: "provided", provided }, auth: { enabled: true, rootPassword: "s3cret" } }))).toEqual([]);
        const c = resolveClusterArgs("seed", seedArgs({ tls: { mode: "provided", provided }, auth: { enabled: true } }));
        expect(c.tls).toMatchObject({ mode: "provided", clientCertAuth: true, peerClientCertAuth: true });
        expect(c.scheme).toBe("https");
    });
});

/**
 * The auth and health scripts under /bin/sh against a fake `docker` that logs its argv, whether ETCDCTL_USER
 * reached it, and its stdin; `auth-on` in the dir makes it answer as etcd with auth enabled.
 */
function fakeEtcdDocker(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "auth-"));
    fs.mkdirSync(path.join(dir, "bin"));
    fs.writeFileSync(path.join(dir, "bin", "docker"), `#!/bin/sh
echo "ARGV $*" >>"${dir}/calls"
case " $* " in *" -e ETCDCTL_USER "*) echo "ENV ETCDCTL_USER=$ETCDCTL_USER" >>"${dir}/env" ;; esac
case " $* " in *" exec -i "*) echo "STDIN $(cat)" >>"${dir}/env" ;; esac
case "$*" in
  *"user list"*) [ -f "${dir}/auth-on" ] && { echo "Error: etcdserver: user name not found" >&2; exit 1; }; [ -f "${dir}/root" ] && echo root; exit 0 ;;
  *"user add root"*) touch "${dir}/root"; echo "User root created" ;;
  *"auth enable"*) touch "${dir}/auth-on"; echo "Authentication Enabled" ;;
  *"user get root"*) case "$ETCDCTL_USER" in "root:pw-Secret-123") echo "User: root" ;; *) echo "Error: authentication failed" >&2; exit 1 ;; esac ;;
  *"member list"*) printf '1, started, etcd-n1, https://10.0.0.137:2380, https://10.0.0.137:2379, false\\n' ;;
  *"endpoint health"*) printf '| https://10.0.0.137:2379 | true | 1ms | |\\n' ;;
esac
exit 0
`, { mode: 0o755 });
    return dir;
}

describe("the auth command's script", () => {
    const cluster = resolveClusterArgs("seed", seedArgs({ tls: { mode: "auto" }, auth: { enabled: true }, members: [{ name: "etcd-n1", host: "node1" }] }));
    const plan = planCluster(cluster);
    const spec = healthCheckSpec("seed", plan, 5);
    const script = authEnableScript({ clusterName: "seed", hosts: spec.hosts, probes: spec.probes, etcdctlFlags: plan.etcdctlFlags, timeoutSeconds: 5 });
    const run = (dir: string, password: string, s = script) => {
        const r = spawnSync("/bin/sh", ["-c", s], { env: { ...process.env, PATH: `${dir}/bin:${process.env.PATH}`, [rootPasswordEnv]: password }, encoding: "utf8" });
        const read = (f: string) => (fs.existsSync(path.join(dir, f)) ? fs.readFileSync(path.join(dir, f), "utf8") : "");
        return { code: r.status, stdout: r.stdout, stderr: r.stderr, calls: read("calls"), env: read("env") };
    };

    it("creates root from stdin, grants the root role, enables auth; the password is never in an argv", () => {
        const dir = fakeEtcdDocker();
        const r = run(dir, "pw-Secret-123");
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
        expect(r.stdout).toBe("etcd cluster seed: created user root; granted role root to root; authentication enabled (through etcd-n1)\n");
        expect(r.calls).toContain(`exec -i etcd-n1 /usr/local/bin/etcdctl --cacert=${tlsFiles.ca} --cert=${tlsFiles.clientCert} --key=${tlsFiles.clientKey} --endpoints=https://127.0.0.1:2379 user add root --interactive=false`);
        expect(r.calls).toContain("user grant-role root root");
        expect(r.calls).toContain("auth enable");
        expect(r.env).toContain("STDIN pw-Secret-123");
        expect(r.calls).not.toContain("pw-Secret-123");
        expect(script).not.toContain("pw-Secret-123");
    });

    it("run a second time it only checks root's password and changes nothing; a wrong password fails and says so", () => {
        const dir = fakeEtcdDocker();
        expect(run(dir, "pw-Secret-123").code).toBe(0);
        const again = run(dir, "pw-Secret-123");
        expect(again.code).toBe(0);
        expect(again.stdout).toMatch(/authentication already enabled and root's password works; nothing changed/);
        expect(again.env).toContain("ENV ETCDCTL_USER=root:pw-Secret-123"); // from the environment, via `-e ETCDCTL_USER`
        expect(again.calls).toMatch(/exec -e ETCDCTL_USER etcd-n1 .* user get root/);
        expect(again.calls).not.toContain("pw-Secret-123");
        expect(again.calls.match(/auth enable/g)).toHaveLength(1);
        const wrong = run(dir, "nope");
        expect(wrong.code).toBe(1);
        expect(wrong.stderr).toMatch(/authentication is enabled, but root's password is refused/);
    });

    it("the health check authenticates the same way: -e ETCDCTL_USER by name, TLS flags, no secret in argv", () => {
        const dir = fakeEtcdDocker();
        const health = healthCheckScript(spec);
        const r = run(dir, "pw-Secret-123", health);
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/1 of 1 members started and healthy/);
        expect(r.calls).toContain(`exec -e ETCDCTL_USER etcd-n1 /usr/local/bin/etcdctl '--cacert=${tlsFiles.ca}'`.replace(/'/g, ""));
        expect(r.env).toContain("ENV ETCDCTL_USER=root:pw-Secret-123");
        expect(r.calls + r.stdout + r.stderr + health).not.toContain("pw-Secret-123");
        expect(run(dir, "", health).stderr).toMatch(/ETCD_ROOT_PASSWORD is empty/);
    });
});
