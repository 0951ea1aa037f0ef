/** The dnsmasq scripts: the remote drop-in written and removed, and the SRV check run under /bin/sh against a fake dig. */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { remoteDeleteScript, remoteWriteScript, srvCheckScript } from "../../../components/scripts/dnsmasq";
import { planCluster } from "../../../components/plan/cluster";
import { resolveClusterArgs } from "../../../components/resolve/cluster";
import { threeNodeArgs, threeNodeMembers } from "../fixtures";
import { tempDir } from "../tempDir";

/** A DNS topology: etcd1..3.example.com on 10.0.0.137–139. */
const threeNodeDns = resolveClusterArgs("seed", threeNodeArgs({
    members: threeNodeMembers.map((m, i) => ({ ...m, dnsName: `etcd${i + 1}.example.com` })),
    bootstrap: { mode: "dns", dns: { domain: "example.com", dnsmasq: { container: { host: "node1", image: "local/dnsmasq:test" } } } },
}));


describe("running dnsmasq", () => {
    it("over ssh: the config from stdin written atomically then the reload; delete removes it then reloads", () => {
        expect(remoteWriteScript("/etc/dnsmasq.d/seed-etcd.conf", "systemctl restart dnsmasq")).toBe(
            `set -e; umask 022; mkdir -p "$(dirname '/etc/dnsmasq.d/seed-etcd.conf')"; cat >'/etc/dnsmasq.d/seed-etcd.conf.tmp'; ` +
            `mv -f '/etc/dnsmasq.d/seed-etcd.conf.tmp' '/etc/dnsmasq.d/seed-etcd.conf'; systemctl restart dnsmasq`);
        expect(remoteDeleteScript("/etc/dnsmasq.d/seed-etcd.conf", "systemctl restart dnsmasq")).toBe(
            "set -e; rm -f '/etc/dnsmasq.d/seed-etcd.conf'; systemctl restart dnsmasq");
    });

    it("the remote write script really writes stdin to the file (run locally under /bin/sh)", () => {
        const dir = tempDir("dnsmasq-");
        const file = path.join(dir, "d", "etcd.conf");
        const r = spawnSync("/bin/sh", ["-c", remoteWriteScript(file, `echo reloaded`)], { input: "srv-host=x\n", encoding: "utf8" });
        expect(r.status).toBe(0);
        expect(r.stdout).toBe("reloaded\n");
        expect(fs.readFileSync(file, "utf8")).toBe("srv-host=x\n");
        expect(spawnSync("/bin/sh", ["-c", remoteDeleteScript(file, "true")]).status).toBe(0);
        expect(fs.existsSync(file)).toBe(false);
    });
});

describe("the SRV check", () => {
    const records = planCluster(threeNodeDns).dns!.records;
    const srvAnswer = (targets: string[]) => targets.map((t, i) => `_etcd-server._tcp.example.com. 0 IN SRV 0 100 2380 ${t}.`).join("\n");

    /** Runs the check with a fake `dig`: SRV queries answer `srv`, A queries answer from `a` (name → ip). */
    function check(srv: string, a: Record<string, string>, attempts = 3) {
        const dir = tempDir("dig-");
        fs.writeFileSync(path.join(dir, "srv"), srv ? srv + "\n" : "");
        const cases = Object.entries(a).map(([n, ip]) => `    *" ${n} "*) echo ${ip} ;;`).join("\n");
        fs.writeFileSync(path.join(dir, "dig"), `#!/bin/sh
printf '%s\\n' "$*" >>"${dir}/calls"
case "$*" in
  *" SRV "*) cat "${dir}/srv" ;;
  *)
    case " $* " in
${cases}
    esac ;;
esac
`, { mode: 0o755 });
        fs.writeFileSync(path.join(dir, "sleep"), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
        const r = spawnSync("/bin/sh", ["-c", srvCheckScript(records, "10.0.0.137", 53, attempts)], { env: { ...process.env, PATH: `${dir}:${process.env.PATH}` }, encoding: "utf8" });
        const calls = fs.readFileSync(path.join(dir, "calls"), "utf8").trim().split("\n");
        return { code: r.status, stdout: r.stdout, stderr: r.stderr, calls };
    }
    const hostsOk = { "etcd1.example.com": "10.0.0.137", "etcd2.example.com": "10.0.0.138", "etcd3.example.com": "10.0.0.139" };

    it("passes with exactly one answer per member and host records that match, asking dig +noall +answer SRV", () => {
        const r = check(srvAnswer(["etcd1.example.com", "etcd3.example.com", "etcd2.example.com"]), hostsOk);
        expect(r.code).toBe(0);
        expect(r.stdout).toContain("2380 etcd3.example.com.");
        expect(r.calls[0]).toBe("+noall +answer +time=2 +tries=1 SRV _etcd-server._tcp.example.com @10.0.0.137 -p 53");
        expect(r.calls).toContain("+short +time=2 +tries=1 A etcd2.example.com @10.0.0.137 -p 53");
    });

    it("fails after the bounded attempts with too few answers, showing what it got", () => {
        const r = check(srvAnswer(["etcd1.example.com", "etcd2.example.com"]), hostsOk);
        expect(r.code).toBe(1);
        expect(r.calls).toHaveLength(3);
        expect(r.stderr).toMatch(/DNS check failed after 3 attempts: _etcd-server\._tcp\.example\.com @10\.0\.0\.137 -p 53 must give exactly 3 SRV answers.*\n[\s\S]*got 2 answer\(s\)/);
    });

    it("fails with too many answers (another cluster's records) and with a wrong host record", () => {
        expect(check(srvAnswer(["etcd1.example.com", "etcd2.example.com", "etcd3.example.com", "etcd4.example.com"]), hostsOk, 1).code).toBe(1);
        const wrong = check(srvAnswer(["etcd1.example.com", "etcd2.example.com", "etcd3.example.com"]), { ...hostsOk, "etcd2.example.com": "10.9.9.9" }, 1);
        expect(wrong.code).toBe(1);
        expect(wrong.stderr).toMatch(/host records wrong: etcd2\.example\.com\(A: 10\.9\.9\.9, expected 10\.0\.0\.138\)/);
    });
});
