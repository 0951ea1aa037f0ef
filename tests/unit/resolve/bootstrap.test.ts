/** The bootstrap argument: every combination etcd would refuse is refused with field, value, why and fix; the accepted ones and their warnings. */
import { EtcdClusterArgs } from "../../../components/args";
import { resolveClusterArgs } from "../../../components/resolve/cluster";
import { problemsOf, threeNodeArgs as seed, threeNodeHosts as hosts } from "../fixtures";

// Each refused combination: the arguments, and what the message must say (field, bad value, why, the fix).
const refused: [string, EtcdClusterArgs, RegExp][] = [
    ["v2 discovery (service) on etcd 3.7", seed({ image: "gcr.io/etcd-development/etcd:v3.7.1", bootstrap: { mode: "discovery", discovery: { serviceUrl: "https://discovery.etcd.io" } } }),
        /bootstrap\.discovery\.serviceUrl: "https:\/\/discovery\.etcd\.io" \(a v2 discovery service\) cannot be used with etcd 3\.7\.1: etcd 3\.7 removed v2 discovery.*Use bootstrap\.discovery\.endpoints with protocol "v3".*or bootstrap\.mode "static"/],
    ["explicit v2 on etcd 3.7", seed({ image: "gcr.io/etcd-development/etcd:v3.7.1", bootstrap: { mode: "discovery", discovery: { protocol: "v2", endpoints: ["http://10.0.0.100:2379"] } } }),
        /bootstrap\.discovery\.protocol: "v2" cannot be used with etcd 3\.7\.1: etcd 3\.7 removed v2 discovery/],
    ["v3 discovery on etcd 3.5", seed({ bootstrap: { mode: "discovery", discovery: { protocol: "v3", endpoints: ["http://10.0.0.100:2379"] } } }),
        /bootstrap\.discovery\.protocol: "v3" cannot be used with etcd 3\.5\.16: v3 discovery .* exists from etcd 3\.6 on\. Use protocol "v2" \(a self-hosted etcd ≤ 3\.5 with --enable-v2\), or etcd ≥ 3\.6/],
    ["v3 discovery on etcd 3.4", seed({ image: "local/etcd:v3.4.23", bootstrap: { mode: "discovery", discovery: { protocol: "v3", endpoints: ["http://10.0.0.100:2379"] } } }),
        /protocol: "v3" cannot be used with etcd 3\.4\.23/],
    ["v3 with a discovery service", seed({ image: "gcr.io/etcd-development/etcd:v3.6.14", bootstrap: { mode: "discovery", discovery: { protocol: "v3", serviceUrl: "https://discovery.etcd.io" } } }),
        /bootstrap\.discovery\.protocol: "v3" needs bootstrap\.discovery\.endpoints \(an etcd you run\); a discovery service \(serviceUrl\) speaks v2 only/],
    ["discovery with an unknown version", seed({ image: "local/etcd:latest", bootstrap: { mode: "discovery", discovery: { serviceUrl: "https://discovery.etcd.io" } } }),
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
        expect(resolveClusterArgs("w", seed({ bootstrap: { mode: "discovery", discovery: { serviceUrl: "https://discovery.etcd.io" } } })).warnings).toEqual([
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
