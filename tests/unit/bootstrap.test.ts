import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EtcdClusterArgs } from "../../components/args";
import { memberSetKey, v3SizeKey } from "../../components/plan/bootstrap";
import { serviceTokenScript, v2TokenDeleteScript, v2TokenScript, v3TokenDeleteScript, v3TokenScript } from "../../components/scripts/discovery";
import { memberEnv } from "../../components/plan/member";
import { planCluster } from "../../components/plan/cluster";
import { resolveClusterArgs } from "../../components/resolve/cluster";
import { readClusterConfig } from "../../components/resolve/stackConfig";
import { problemsOf, seedArgs as seed, seedHosts as hosts, seedMembers as members } from "./fixtures";

const common = (ip: string, advertised = ip) => [
    `ETCD_NAME=etcd-n${Number(ip.split(".")[3]) - 136}`,
    "ETCD_DATA_DIR=/var/lib/etcd/data",
    "ETCD_LISTEN_PEER_URLS=http://0.0.0.0:2380",
    "ETCD_LISTEN_CLIENT_URLS=http://0.0.0.0:2379",
    `ETCD_INITIAL_ADVERTISE_PEER_URLS=http://${advertised}:2380`,
    `ETCD_ADVERTISE_CLIENT_URLS=http://${advertised}:2379`,
];

describe("each member's environment, per bootstrap mode", () => {
    it("static (the default): ETCD_INITIAL_CLUSTER from the members, as before", () => {
        const plan = planCluster(resolveClusterArgs("s", seed({ bootstrap: { mode: "static" } })));
        expect(plan.members.map((m) => memberEnv(m, "tok"))).toEqual(["10.0.0.137", "10.0.0.138", "10.0.0.139"].map((ip) => [
            ...common(ip),
            "ETCD_INITIAL_CLUSTER=etcd-n1=http://10.0.0.137:2380,etcd-n2=http://10.0.0.138:2380,etcd-n3=http://10.0.0.139:2380",
            "ETCD_INITIAL_CLUSTER_STATE=new",
            "ETCD_INITIAL_CLUSTER_TOKEN=tok",
        ]));
        expect(planCluster(resolveClusterArgs("s", seed())).members[0].env).toEqual(plan.members[0].env);
    });

    it("discovery from a service: ETCD_DISCOVERY = the service's answer, no ETCD_INITIAL_CLUSTER, state new", () => {
        const c = resolveClusterArgs("d", seed({ bootstrap: { mode: "discovery" } }));
        expect(c.bootstrap).toEqual({ mode: "discovery", protocol: "v2", source: "service", serviceUrl: "https://discovery.etcd.io", attempts: 5 });
        const plan = planCluster(c);
        expect(plan.initialCluster).toBe("");
        expect(plan.members.map((m) => memberEnv(m, "tok", { bootstrap: c.bootstrap, value: "https://discovery.etcd.io/abc" }))).toEqual(
            ["10.0.0.137", "10.0.0.138", "10.0.0.139"].map((ip) => [
                ...common(ip),
                "ETCD_INITIAL_CLUSTER_STATE=new",
                "ETCD_INITIAL_CLUSTER_TOKEN=tok",
                "ETCD_DISCOVERY=https://discovery.etcd.io/abc",
            ]));
    });

    it("self-hosted v2 discovery (etcd ≤ 3.5): ETCD_DISCOVERY = <endpoint>/v2/keys/discovery/<token>", () => {
        const c = resolveClusterArgs("d", seed({ image: "local/etcd:v3.4.23", bootstrap: { mode: "discovery", discovery: { endpoints: ["http://10.0.0.100:2379"] } } }));
        expect(c.bootstrap).toMatchObject({ protocol: "v2", source: "endpoints", endpoints: ["http://10.0.0.100:2379"] });
        const env = memberEnv(planCluster(c).members[1], "tok", { bootstrap: c.bootstrap, value: "http://10.0.0.100:2379/v2/keys/discovery/t0k" });
        expect(env).toEqual([...common("10.0.0.138"), "ETCD_INITIAL_CLUSTER_STATE=new", "ETCD_INITIAL_CLUSTER_TOKEN=tok",
            "ETCD_DISCOVERY=http://10.0.0.100:2379/v2/keys/discovery/t0k"]);
        expect(env.some((e) => e.startsWith("ETCD_INITIAL_CLUSTER="))).toBe(false);
    });

    it("v3 discovery (etcd ≥ 3.6, the default there): ETCD_DISCOVERY_TOKEN + ETCD_DISCOVERY_ENDPOINTS", () => {
        const c = resolveClusterArgs("d", seed({ image: "gcr.io/etcd-development/etcd:v3.6.14",
            bootstrap: { mode: "discovery", discovery: { endpoints: ["http://10.0.0.100:2379", "http://10.0.0.101:2379"] } } }));
        expect(c.bootstrap).toMatchObject({ protocol: "v3" });
        expect(memberEnv(planCluster(c).members[2], "tok", { bootstrap: c.bootstrap, value: "t0k" })).toEqual([
            ...common("10.0.0.139"), "ETCD_INITIAL_CLUSTER_STATE=new", "ETCD_INITIAL_CLUSTER_TOKEN=tok",
            "ETCD_DISCOVERY_TOKEN=t0k", "ETCD_DISCOVERY_ENDPOINTS=http://10.0.0.100:2379,http://10.0.0.101:2379",
        ]);
    });

    it("dns: advertises <member>.<domain> (or dnsName), listens on IPs, ETCD_DISCOVERY_SRV, no ETCD_INITIAL_CLUSTER", () => {
        const c = resolveClusterArgs("d", seed({
            members: [{ name: "etcd-n1", host: "node1", dnsName: "etcd1.example.com" }, { name: "etcd-n2", host: "node2" }, { name: "etcd-n3", host: "node3" }],
            bootstrap: { mode: "dns", dns: { domain: "example.com" } },
        }));
        const plan = planCluster(c);
        expect(plan.members.map((m) => memberEnv(m, "tok"))).toEqual([
            ["10.0.0.137", "etcd1.example.com"], ["10.0.0.138", "etcd-n2.example.com"], ["10.0.0.139", "etcd-n3.example.com"],
        ].map(([ip, name]) => [...common(ip, name), "ETCD_DISCOVERY_SRV=example.com", "ETCD_INITIAL_CLUSTER_STATE=new", "ETCD_INITIAL_CLUSTER_TOKEN=tok"]));
        expect(plan.clientEndpoints).toEqual(["http://etcd1.example.com:2379", "http://etcd-n2.example.com:2379", "http://etcd-n3.example.com:2379"]);
        expect(plan.initialCluster).toBe("");
    });

    it("dns with srvName adds ETCD_DISCOVERY_SRV_NAME", () => {
        const c = resolveClusterArgs("d", seed({ bootstrap: { mode: "dns", dns: { domain: "example.com", srvName: "prod" } } }));
        expect(planCluster(c).members[0].env).toEqual(expect.arrayContaining(["ETCD_DISCOVERY_SRV=example.com", "ETCD_DISCOVERY_SRV_NAME=prod"]));
    });

    it("never sets one variable twice, in any mode", () => {
        const modes: EtcdClusterArgs["bootstrap"][] = [
            { mode: "static" }, { mode: "discovery" }, { mode: "dns", dns: { domain: "example.com", srvName: "x" } },
            { mode: "discovery", discovery: { endpoints: ["http://10.0.0.100:2379"] } },
        ];
        for (const bootstrap of modes) {
            const c = resolveClusterArgs("d", seed({ bootstrap }));
            const keys = memberEnv(planCluster(c).members[0], "t", { bootstrap: c.bootstrap, value: "v" }).map((e) => e.split("=")[0]);
            expect(new Set(keys).size).toBe(keys.length);
        }
    });
});

describe("the member set a discovery token is made for", () => {
    it("is the names and peer URLs, whatever the order, and changes when a member or a URL changes", () => {
        const key = (m: typeof members) => planCluster(resolveClusterArgs("k", seed({ members: m, bootstrap: { mode: "discovery" } }))).memberSetKey;
        expect(key(members)).toBe("etcd-n1=http://10.0.0.137:2380,etcd-n2=http://10.0.0.138:2380,etcd-n3=http://10.0.0.139:2380");
        expect(key([...members].reverse())).toBe(key(members));
        expect(key(members.slice(0, 2))).not.toBe(key(members));
        expect(key([...members.slice(0, 2), { name: "etcd-n4", host: "node3" }])).not.toBe(key(members));
        expect(memberSetKey([{ name: "a", peerUrl: "http://x:2380" }])).not.toBe(memberSetKey([{ name: "a", peerUrl: "http://x:2381" }]));
    });
});


// Each refused combination: the arguments, and what the message must say (field, bad value, why, the fix).
const refused: [string, EtcdClusterArgs, RegExp][] = [
    ["v2 discovery (service) on etcd 3.7", seed({ image: "gcr.io/etcd-development/etcd:v3.7.1", bootstrap: { mode: "discovery" } }),
        /bootstrap\.discovery\.serviceUrl: "https:\/\/discovery\.etcd\.io" \(a v2 discovery service\) cannot be used with etcd 3\.7\.1: etcd 3\.7 removed v2 discovery.*Use bootstrap\.discovery\.endpoints with protocol "v3".*or bootstrap\.mode "static"/],
    ["explicit v2 on etcd 3.7", seed({ image: "gcr.io/etcd-development/etcd:v3.7.1", bootstrap: { mode: "discovery", discovery: { protocol: "v2", endpoints: ["http://10.0.0.100:2379"] } } }),
        /bootstrap\.discovery\.protocol: "v2" cannot be used with etcd 3\.7\.1: etcd 3\.7 removed v2 discovery/],
    ["v3 discovery on etcd 3.5", seed({ bootstrap: { mode: "discovery", discovery: { protocol: "v3", endpoints: ["http://10.0.0.100:2379"] } } }),
        /bootstrap\.discovery\.protocol: "v3" cannot be used with etcd 3\.5\.16: v3 discovery .* exists from etcd 3\.6 on\. Use protocol "v2" \(a self-hosted etcd ≤ 3\.5 with --enable-v2\), or etcd ≥ 3\.6/],
    ["v3 discovery on etcd 3.4", seed({ image: "local/etcd:v3.4.23", bootstrap: { mode: "discovery", discovery: { protocol: "v3", endpoints: ["http://10.0.0.100:2379"] } } }),
        /protocol: "v3" cannot be used with etcd 3\.4\.23/],
    ["v3 with a discovery service", seed({ image: "gcr.io/etcd-development/etcd:v3.6.14", bootstrap: { mode: "discovery", discovery: { protocol: "v3" } } }),
        /bootstrap\.discovery\.protocol: "v3" needs bootstrap\.discovery\.endpoints \(an etcd you run\); a discovery service \(serviceUrl\) speaks v2 only/],
    ["discovery with an unknown version", seed({ image: "local/etcd:latest", bootstrap: { mode: "discovery" } }),
        /etcdVersion: unknown \(the image tag does not say it\), but bootstrap\.mode "discovery" picks the discovery protocol from it; set etcdVersion \(e\.g\. "3\.5\.16"\)/],
    ["serviceUrl and endpoints", seed({ bootstrap: { mode: "discovery", discovery: { serviceUrl: "https://d.example", endpoints: ["http://10.0.0.100:2379"] } } }),
        /bootstrap\.discovery: serviceUrl \("https:\/\/d\.example"\) and endpoints \(\["http:\/\/10\.0\.0\.100:2379"\]\) are both set; use serviceUrl .* or endpoints/],
    ["v2 with two endpoints", seed({ bootstrap: { mode: "discovery", discovery: { endpoints: ["http://10.0.0.100:2379", "http://10.0.0.101:2379"] } } }),
        /bootstrap\.discovery\.endpoints: v2 discovery takes one URL .* but 2 are given; list one/],
    ["endpoint with a path", seed({ bootstrap: { mode: "discovery", discovery: { endpoints: ["http://10.0.0.100:2379/v2/keys"] } } }),
        /bootstrap\.discovery\.endpoints\[0\]: "http:\/\/10\.0\.0\.100:2379\/v2\/keys" is not a client URL; use http\(s\):\/\/host:port with no path/],
    ["service URL not http", seed({ bootstrap: { mode: "discovery", discovery: { serviceUrl: "ftp://d.example" } } }),
        /bootstrap\.discovery\.serviceUrl: "ftp:\/\/d\.example" is not an http\(s\) URL/],
    ["attempts out of range", seed({ bootstrap: { mode: "discovery", discovery: { attempts: 0 } } }), /bootstrap\.discovery\.attempts: 0 must be a whole number from 1 to 20/],
    ["unknown mode", seed({ bootstrap: { mode: "gossip" as never } }), /bootstrap\.mode: "gossip" must be "static", "discovery" or "dns"/],
    ["discovery settings in static mode", seed({ bootstrap: { discovery: {} } }),
        /bootstrap\.discovery: set, but bootstrap\.mode is "static"; set bootstrap\.mode to "discovery" or remove bootstrap\.discovery/],
    ["dns settings in discovery mode", seed({ bootstrap: { mode: "discovery", dns: { domain: "example.com" } } }), /bootstrap\.dns: set, but bootstrap\.mode is "discovery"/],
    ["dns + http + etcd 3.4", seed({ image: "local/etcd:v3.4.23", bootstrap: { mode: "dns", dns: { domain: "example.com" } } }),
        /bootstrap\.mode: "dns" with http peer URLs cannot bootstrap etcd 3\.4\.23: .*_etcd-server-ssl\._tcp\.example\.com.*"error querying DNS SRV records for _etcd-server-ssl".*etcd issue 11321.*Use etcd ≥ 3\.5.*TLS peers \(https, with _etcd-server-ssl records\), or bootstrap\.mode "static"/],
    ["dns with an unknown version", seed({ image: "my/etcd:stable", bootstrap: { mode: "dns", dns: { domain: "example.com" } } }),
        /etcdVersion: unknown .* bootstrap\.mode "dns" depends on it \(etcd 3\.4 cannot use http SRV records\); set etcdVersion/],
    ["dns without settings", seed({ bootstrap: { mode: "dns" } }), /bootstrap\.dns: missing; bootstrap\.mode "dns" needs at least \{ domain: "example\.com" \}/],
    ["dns with a bad domain", seed({ bootstrap: { mode: "dns", dns: { domain: "example..com" } } }), /bootstrap\.dns\.domain: "example\.\.com" is not a DNS domain/],
    ["dns with a bad srvName", seed({ bootstrap: { mode: "dns", dns: { domain: "example.com", srvName: "a.b" } } }), /bootstrap\.dns\.srvName: "a\.b" must be one DNS label/],
    ["a member name that is no DNS label", seed({ members: [{ name: "etcd_n1", host: "node1" }], bootstrap: { mode: "dns", dns: { domain: "example.com" } } }),
        /members\[0\]\.name: "etcd_n1" does not make a DNS name \("etcd_n1\.example\.com"\); set members\[0\]\.dnsName/],
    ["two members with one dnsName", seed({ members: [{ name: "a", host: "node1", dnsName: "e.example.com" }, { name: "b", host: "node2", dnsName: "E.example.com" }], bootstrap: { mode: "dns", dns: { domain: "example.com" } } }),
        /members\[1\]\.dnsName: members "a" and "b" both advertise "E\.example\.com"; give each member its own dnsName/],
    ["dnsName outside dns mode", seed({ members: [{ name: "a", host: "node1", dnsName: "a.example.com" }] }),
        /members\[0\]\.dnsName: "a\.example\.com" is only used with bootstrap\.mode "dns" \(it is "static"\)/],
    ["discovery variables through extraEnv", seed({ extraEnv: { ETCD_DISCOVERY_SRV: "example.com" } }),
        /extraEnv\.ETCD_DISCOVERY_SRV: the component sets ETCD_DISCOVERY_SRV itself; use bootstrap\.dns\.domain instead/],
    ["dnsmasq with neither container nor remote", seed({ bootstrap: { mode: "dns", dns: { domain: "example.com", dnsmasq: {} } } }),
        /bootstrap\.dns\.dnsmasq: give exactly one of container .* and remote/],
    ["dnsmasq container on an unknown host", seed({ bootstrap: { mode: "dns", dns: { domain: "example.com", dnsmasq: { container: { host: "dns9", image: "local/dnsmasq:test" } } } } }),
        /bootstrap\.dns\.dnsmasq\.container\.host: "dns9" is not in hosts; use one of "node1", "node2", "node3"/],
    ["dnsmasq container without image", seed({ bootstrap: { mode: "dns", dns: { domain: "example.com", dnsmasq: { container: { host: "node1", image: "" } } } } }),
        /bootstrap\.dns\.dnsmasq\.container\.image: "" is not an image reference; give an image with dnsmasq on its PATH/],
    ["dnsmasq on a port members cannot use", seed({ bootstrap: { mode: "dns", dns: { domain: "example.com", dnsmasq: { useForMembers: true, container: { host: "node1", image: "d", port: 5353 } } } } }),
        /bootstrap\.dns\.dnsmasq\.useForMembers: true, but bootstrap\.dns\.dnsmasq\.container\.port is 5353; Docker's dns setting always uses port 53/],
    ["host-record of a member without IP", seed({ members: [{ name: "a", host: "node1", address: "node1.lan" }], bootstrap: { mode: "dns", dns: { domain: "example.com", dnsmasq: { container: { host: "node1", image: "d" } } } } }),
        /members\[0\]\.address: "node1\.lan" is not an IP address, but dnsmasq serves it as host-record/],
    ["dnsmasq remote with a relative path", seed({ bootstrap: { mode: "dns", dns: { domain: "example.com", dnsmasq: { remote: { host: "10.0.0.53", path: "dnsmasq.d/x.conf" } } } } }),
        /bootstrap\.dns\.dnsmasq\.remote\.path: "dnsmasq\.d\/x\.conf" must be an absolute file path/],
];

describe.each(refused)("refuses %s", (_what, args, message) => {
    it("with a message that names the field, the value and the fix", () => {
        expect(problemsOf(args)).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
    });
});

describe("accepted combinations", () => {
    it("v2 discovery on 3.6 (deprecated there) with a warning; v3 on 3.7", () => {
        const c = resolveClusterArgs("w", seed({ image: "gcr.io/etcd-development/etcd:v3.6.14", bootstrap: { mode: "discovery", discovery: { protocol: "v2", endpoints: ["http://10.0.0.100:2379"] } } }));
        expect(c.warnings).toEqual([expect.stringMatching(/etcd 3\.6\.14 deprecates v2 discovery; etcd 3\.7 removes it/)]);
        expect(resolveClusterArgs("w", seed({ image: "gcr.io/etcd-development/etcd:v3.7.1", bootstrap: { mode: "discovery", discovery: { endpoints: ["http://10.0.0.100:2379"] } } })).bootstrap)
            .toMatchObject({ protocol: "v3" });
    });

    it("warns that the public discovery service is unmaintained", () => {
        expect(resolveClusterArgs("w", seed({ bootstrap: { mode: "discovery" } })).warnings).toEqual([
            expect.stringMatching(/public https:\/\/discovery\.etcd\.io, which is no longer maintained .* answering 503; prefer bootstrap\.mode "static" or a self-hosted discovery etcd/),
        ]);
    });

    it("dns on 3.5 with a dnsmasq container on a host that runs no member: that host is kept, without a warning", () => {
        const c = resolveClusterArgs("w", seed({
            hosts: [...hosts, { name: "dns", url: "ssh://root@10.0.0.53" }],
            bootstrap: { mode: "dns", dns: { domain: "example.com", dnsmasq: { container: { host: "dns", image: "local/dnsmasq:test" } } } },
        }));
        expect(c.hosts.map((h) => h.name)).toEqual(["node1", "node2", "node3", "dns"]);
        expect(c.warnings).toEqual([]);
        expect(c.bootstrap).toMatchObject({ dnsmasq: { kind: "container", serverAddress: "10.0.0.53", serverPort: 53, useForMembers: true, containerName: "w-dnsmasq" } });
    });
});

// ---------------------------------------------------------------------------------------- the scripts

/** Runs a script under /bin/sh with a fake `curl` first on PATH; the fake logs its argv and answers from `answer`. */
function runWithFakeCurl(script: string, answer: string): { code: number; stdout: string; stderr: string; calls: string[] } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "boot-"));
    fs.writeFileSync(path.join(dir, "curl"), `#!/bin/sh\nprintf '%s\\n' "$*" >>"${dir}/calls"\n${answer}\n`, { mode: 0o755 });
    // `sleep` is faked too, so the back-off costs no time.
    fs.writeFileSync(path.join(dir, "sleep"), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
    const r = spawnSync("/bin/sh", ["-c", script], { env: { ...process.env, PATH: `${dir}:${process.env.PATH}` }, encoding: "utf8" });
    const calls = fs.existsSync(path.join(dir, "calls")) ? fs.readFileSync(path.join(dir, "calls"), "utf8").trim().split("\n") : [];
    fs.rmSync(dir, { recursive: true, force: true });
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

it("the stack config takes bootstrap as a structured setting", () => {
    const { args } = readClusterConfig({
        "etcd-cluster:members": JSON.stringify(members),
        "etcd-cluster:bootstrap": JSON.stringify({ mode: "dns", dns: { domain: "example.com" } }),
    }, "etcd-cluster");
    expect(args.bootstrap).toEqual({ mode: "dns", dns: { domain: "example.com" } });
});
