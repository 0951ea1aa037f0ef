/** The discovery token scripts, run under /bin/sh against a fake curl. */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { v3SizeKey } from "../../../components/plan/bootstrap";
import { serviceTokenScript, v2TokenDeleteScript, v2TokenScript, v3TokenDeleteScript, v3TokenScript } from "../../../components/scripts/discovery";
import { tempDir } from "../tempDir";

/** Runs a script under /bin/sh with a fake `curl` first on PATH; the fake logs its argv and answers from `answer`. */
function runWithFakeCurl(script: string, answer: string): { code: number; stdout: string; stderr: string; calls: string[] } {
    const dir = tempDir("boot-");
    fs.writeFileSync(path.join(dir, "curl"), `#!/bin/sh\nprintf '%s\\n' "$*" >>"${dir}/calls"\n${answer}\n`, { mode: 0o755 });
    // `sleep` is faked too, so the back-off costs no time.
    fs.writeFileSync(path.join(dir, "sleep"), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
    const r = spawnSync("/bin/sh", ["-c", script], { env: { ...process.env, PATH: `${dir}:${process.env.PATH}` }, encoding: "utf8" });
    const calls = fs.existsSync(path.join(dir, "calls")) ? fs.readFileSync(path.join(dir, "calls"), "utf8").trim().split("\n") : [];
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, calls };
}

describe("the discovery-service token script", () => {
    const script = serviceTokenScript("https://discovery.etcd.io", 3, 4);

    it("asks <service>/new?size=N once and prints exactly the URL it got", () => {
        const r = runWithFakeCurl(script, "echo https://discovery.etcd.io/fbcc7b00dbd102b74d8daa1781fbb941");
        expect(r).toMatchObject({ code: 0, stdout: "https://discovery.etcd.io/fbcc7b00dbd102b74d8daa1781fbb941\n" });
        expect(r.calls).toEqual(["-fsS --max-time 20 https://discovery.etcd.io/new?size=3"]);
    });

    it("fails on a 503 after the bounded attempts, saying the service is unmaintained and what to use", () => {
        const r = runWithFakeCurl(script, `echo "curl: (22) The requested URL returned error: 503" >&2; exit 22`);
        expect(r.code).toBe(1);
        expect(r.calls).toHaveLength(4);
        expect(r.stderr).toMatch(/answered 503 Service Unavailable \(4 attempts\)\. The public discovery\.etcd\.io is no longer maintained.*use bootstrap\.mode "static", or a discovery etcd you run/);
    });

    it("fails at once on an answer that is not a URL", () => {
        const r = runWithFakeCurl(script, `echo '<html>maintenance</html>'`);
        expect(r.code).toBe(1);
        expect(r.calls).toHaveLength(1);
        expect(r.stderr).toMatch(/answered <html>maintenance<\/html>, which is not a discovery URL/);
    });

    it("retries other failures and succeeds when the service comes back", () => {
        const r = runWithFakeCurl(script, `n=$(wc -l <"$(dirname "$0")/calls"); [ "$n" -ge 3 ] && { echo https://d.example/tok; exit 0; }; echo "curl: (7) Failed to connect" >&2; exit 7`);
        expect(r).toMatchObject({ code: 0, stdout: "https://d.example/tok\n" });
        expect(r.calls).toHaveLength(3);
    });
});

describe("the self-hosted token scripts", () => {
    it("v2: PUTs the size key and prints the discovery URL", () => {
        const r = runWithFakeCurl(v2TokenScript("http://10.77.0.11:2379", "abc", 3, 2), `echo '{"action":"set"}'`);
        expect(r).toMatchObject({ code: 0, stdout: "http://10.77.0.11:2379/v2/keys/discovery/abc\n" });
        expect(r.calls).toEqual(["-fsS --max-time 10 -X PUT http://10.77.0.11:2379/v2/keys/discovery/abc/_config/size -d value=3"]);
        expect(v2TokenDeleteScript("http://10.77.0.11:2379", "abc")).toContain("-X DELETE 'http://10.77.0.11:2379/v2/keys/discovery/abc?recursive=true'");
    });

    it("v2: says the discovery etcd needs --enable-v2 when the PUT keeps failing", () => {
        const r = runWithFakeCurl(v2TokenScript("http://10.77.0.11:2379", "abc", 3, 2), `echo "curl: (22) The requested URL returned error: 404" >&2; exit 22`);
        expect(r.code).toBe(1);
        expect(r.calls).toHaveLength(2);
        expect(r.stderr).toMatch(/error: 404.*\n.*must be ≤ 3\.5 and started with --enable-v2/);
    });

    it("v3: puts /_etcd/registry/<token>/_config/size through the JSON gateway, base64-encoded, trying each endpoint", () => {
        const r = runWithFakeCurl(v3TokenScript(["http://a:2379", "http://b:2379"], "tok", 3, 1),
            `case "$*" in *http://a:2379*) exit 7 ;; esac; echo '{"header":{"revision":"2"}}'`);
        expect(r).toMatchObject({ code: 0, stdout: "tok\n" });
        const body = JSON.parse(r.calls[1].replace(/^.* -d /, ""));
        expect(Buffer.from(body.key, "base64").toString()).toBe("/_etcd/registry/tok/_config/size");
        expect(Buffer.from(body.value, "base64").toString()).toBe("3");
        expect(r.calls[1]).toContain("-X POST http://b:2379/v3/kv/put");
        expect(v3SizeKey("tok")).toBe("/_etcd/registry/tok/_config/size");
        const del = JSON.parse(/-d '(.*)' >/.exec(v3TokenDeleteScript(["http://a:2379"], "tok"))![1]);
        expect([del.key, del.range_end].map((k: string) => Buffer.from(k, "base64").toString())).toEqual(["/_etcd/registry/tok/", "/_etcd/registry/tok0"]);
    });
});
