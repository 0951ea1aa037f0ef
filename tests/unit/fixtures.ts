import { EtcdClusterArgs, EtcdMemberArgs } from "../../components/args";
import { EtcdClusterArgsError } from "../../components/resolve/argChecks";
import { resolveClusterArgs } from "../../components/resolve/cluster";

/** Three machines: node1..3 at 10.0.0.137–139, Docker reached over ssh. */
export const threeNodeHosts = [
    { name: "node1", url: "ssh://root@10.0.0.137" },
    { name: "node2", url: "ssh://root@10.0.0.138" },
    { name: "node3", url: "ssh://root@10.0.0.139" },
];

/** Three members: etcd-n1..n3, one per machine. */
export const threeNodeMembers: EtcdMemberArgs[] = [
    { name: "etcd-n1", host: "node1" },
    { name: "etcd-n2", host: "node2" },
    { name: "etcd-n3", host: "node3" },
];

/** Those three members on those three hosts, etcd 3.5.16, with overrides. */
export const threeNodeArgs = (over: Partial<EtcdClusterArgs> = {}): EtcdClusterArgs =>
    ({ image: "local/etcd:v3.5.16", hosts: threeNodeHosts, members: threeNodeMembers, ...over });

/** The problems validation reports for `args` (none when it accepts them). */
export function problemsOf(args: EtcdClusterArgs): string[] {
    try {
        resolveClusterArgs("seed", args);
    } catch (e) {
        expect(e).toBeInstanceOf(EtcdClusterArgsError);
        return (e as EtcdClusterArgsError).problems;
    }
    return [];
}

/** Three hosts shaped like the live lab's (h1..h3 at 10.77.0.11–13), with one member each. */
export const labHosts = [
    { name: "h1", url: "ssh://root@10.77.0.11" },
    { name: "h2", url: "ssh://root@10.77.0.12" },
    { name: "h3", url: "ssh://root@10.77.0.13" },
];
export const labMembers: EtcdMemberArgs[] = [{ name: "etcd-n1", host: "h1" }, { name: "etcd-n2", host: "h2" }, { name: "etcd-n3", host: "h3" }];
