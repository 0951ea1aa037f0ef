/** The auth command's script and the health check's login, under /bin/sh against a fake docker: the password never in an argv. */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { planCluster } from "../../../components/plan/cluster";
import { tlsFiles } from "../../../components/plan/security";
import { resolveClusterArgs } from "../../../components/resolve/cluster";
import { authEnableScript } from "../../../components/scripts/auth";
import { clusterAccess } from "../../../components/scripts/access";
import { healthCheckScript, healthCheckSpec } from "../../../components/scripts/healthCheck";
import { healthJson, memberEntry, memberListJson } from "../etcdctlJson";
import { rootPasswordEnv } from "../../../components/scripts/shell";
import { threeNodeArgs } from "../fixtures";
import { tempDir } from "../tempDir";
import { installFakeClock } from "./fakeClock";


/**
 * The auth and health scripts under /bin/sh against a fake `docker` that logs its argv, whether ETCDCTL_USER
 * reached it, and its stdin; `auth-on` in the dir makes it answer as etcd with auth enabled.
 */
function fakeEtcdDocker(): string {
    const dir = tempDir("auth-");
    fs.mkdirSync(path.join(dir, "bin"));
    installFakeClock(path.join(dir, "bin"), dir);
    fs.writeFileSync(path.join(dir, "bin", "docker"), `#!/bin/sh
echo "ARGV $*" >>"${dir}/calls"
case " $* " in *" -e ETCDCTL_USER "*) echo "ENV ETCDCTL_USER=$ETCDCTL_USER" >>"${dir}/env" ;; esac
case " $* " in *" exec -i "*) echo "STDIN $(cat)" >>"${dir}/env" ;; esac
case "$*" in
  *"user list"*) case " $* " in *" -e ETCDCTL_USER "*) ;; *) [ -f "${dir}/auth-on" ] && { echo "Error: etcdserver: user name not found" >&2; exit 1; } ;; esac
    [ -f "${dir}/root" ] && echo root; [ -f "${dir}/etcd-client" ] && echo etcd-client; exit 0 ;;
  *"user add etcd-client --no-password"*) touch "${dir}/etcd-client"; echo "User etcd-client created" ;;
  *"user add root"*) touch "${dir}/root"; echo "User root created" ;;
  *"auth enable"*) touch "${dir}/auth-on"; echo "Authentication Enabled" ;;
  *"user get root"*) case "$ETCDCTL_USER" in "root:pw-Secret-123") echo "User: root" ;; *) echo "Error: authentication failed" >&2; exit 1 ;; esac ;;
  *"member list"*) printf '%s' '${memberListJson(memberEntry("1", "etcd-n1", "https://10.0.0.137:2380", "https://10.0.0.137:2379"))}' ;;
  *"endpoint health"*) printf '%s' '${healthJson({ endpoint: "https://10.0.0.137:2379", healthy: true })}' ;;
esac
exit 0
`, { mode: 0o755 });
    return dir;
}

describe("the auth command's script", () => {
    const cluster = resolveClusterArgs("seed", threeNodeArgs({ tls: { mode: "auto" }, auth: { enabled: true }, members: [{ name: "etcd-n1", host: "node1" }] }));
    const plan = planCluster(cluster);
    const access = clusterAccess("seed", plan);
    const spec = healthCheckSpec(access, plan, 5);
    const script = authEnableScript({ ...access, timeoutSeconds: 5 });
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

    it("creates a user, without a role, for the client certificate's name, on a new cluster and on one that has auth on already", () => {
        const withUser = authEnableScript({ ...access, timeoutSeconds: 5, certUser: "etcd-client" });
        const dir = fakeEtcdDocker();
        const first = run(dir, "pw-Secret-123", withUser);
        expect(first.stdout).toBe("etcd cluster seed: created user root; created user etcd-client (no role: the client certificate's name); granted role root to root; authentication enabled (through etcd-n1)\n");
        expect(first.calls).not.toMatch(/grant-role etcd-client/);
        expect(run(dir, "pw-Secret-123", withUser).stdout).toMatch(/root's password works; nothing changed/);
        // A cluster whose auth was enabled before: the user is added as root.
        const older = fakeEtcdDocker();
        expect(run(older, "pw-Secret-123").code).toBe(0);
        const again = run(older, "pw-Secret-123", withUser);
        expect(again.stdout).toMatch(/root's password works; created user etcd-client \(no role: the client certificate's name\); \(checked through etcd-n1\)/);
        expect(again.calls).toMatch(/exec -e ETCDCTL_USER etcd-n1 .* user add etcd-client --no-password/);
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
