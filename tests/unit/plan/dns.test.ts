/** DNS bootstrap planning, pure: the records, the rendered dnsmasq config and the dnsmasq command line. */
import { dnsmasqContainerCommand, dnsRecords, renderDnsmasqConfig, srvServiceName } from "../../../components/plan/dns";
import { planCluster } from "../../../components/plan/cluster";
import { resolveClusterArgs } from "../../../components/resolve/cluster";
import { threeNodeArgs, threeNodeMembers } from "../fixtures";

/** A DNS topology: etcd1..3.example.com on 10.0.0.137–139. */
const threeNodeDns = resolveClusterArgs("seed", threeNodeArgs({
    members: threeNodeMembers.map((m, i) => ({ ...m, dnsName: `etcd${i + 1}.example.com` })),
    bootstrap: { mode: "dns", dns: { domain: "example.com", dnsmasq: { container: { host: "node1", image: "local/dnsmasq:test" } } } },
}));

describe("the dnsmasq config", () => {
    it("is srv-host lines for the server records, plus client records and a host-record per member (golden text)", () => {
        expect(planCluster(threeNodeDns).dns!.dnsmasqConfig).toBe(
            `# etcd cluster seed: DNS SRV bootstrap records (written by Pulumi; changes are overwritten)
srv-host=_etcd-server._tcp.example.com,etcd1.example.com,2380,0,100
srv-host=_etcd-server._tcp.example.com,etcd2.example.com,2380,0,100
srv-host=_etcd-server._tcp.example.com,etcd3.example.com,2380,0,100
srv-host=_etcd-client._tcp.example.com,etcd1.example.com,2379,0,100
srv-host=_etcd-client._tcp.example.com,etcd2.example.com,2379,0,100
srv-host=_etcd-client._tcp.example.com,etcd3.example.com,2379,0,100
host-record=etcd1.example.com,10.0.0.137
host-record=etcd2.example.com,10.0.0.138
host-record=etcd3.example.com,10.0.0.139
`);
    });

    it("uses each member's own ports, the srvName suffix, and upstream servers", () => {
        const records = dnsRecords({ domain: "lab.test", srvName: "blue" }, [
            { name: "a", dnsName: "a.lab.test", address: "10.77.0.11", peerPort: 2380, clientPort: 2379 },
            { name: "b", dnsName: "b.lab.test", address: "fd00::2", peerPort: 12380, clientPort: 12379 },
        ], "http");
        expect(renderDnsmasqConfig("blue", records, ["10.77.0.1"]).split("\n").slice(1)).toEqual([
            "srv-host=_etcd-server-blue._tcp.lab.test,a.lab.test,2380,0,100",
            "srv-host=_etcd-server-blue._tcp.lab.test,b.lab.test,12380,0,100",
            "srv-host=_etcd-client-blue._tcp.lab.test,a.lab.test,2379,0,100",
            "srv-host=_etcd-client-blue._tcp.lab.test,b.lab.test,12379,0,100",
            "host-record=a.lab.test,10.77.0.11",
            "host-record=b.lab.test,fd00::2",
            "server=10.77.0.1",
            "",
        ]);
    });

    it("names the records as etcd looks them up, -ssl for https peers (one switch for TLS later)", () => {
        expect(srvServiceName("server", "http", "example.com")).toBe("_etcd-server._tcp.example.com");
        expect(srvServiceName("server", "https", "example.com")).toBe("_etcd-server-ssl._tcp.example.com");
        expect(srvServiceName("client", "https", "example.com", "foo")).toBe("_etcd-client-ssl-foo._tcp.example.com");
    });
});


describe("running dnsmasq", () => {
    it("in a container: foreground, only the uploaded file, only the host's address", () => {
        expect(dnsmasqContainerCommand("10.0.0.137", 53)).toEqual([
            "-k", "-C", "/etc/dnsmasq.d/etcd.conf", "--no-resolv", "--no-hosts", "--listen-address=10.0.0.137", "--bind-interfaces", "--port=53",
            "--log-facility=-", "--pid-file=",
        ]);
    });
});
