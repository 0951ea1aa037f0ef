/**
 * A program that uses the package the way a user's does: by its name, from what `npm pack` ships (the built JS and
 * `.d.ts`). scripts/check-consumer.sh type-checks it against the packed tarball; it is never run.
 */
import * as pulumi from "@pulumi/pulumi";
import { EtcdCluster, EtcdClusterArgs, EtcdClusterArgsError, EtcdMember } from "etcd-cluster";
// The package's internals stay out of its types (stripInternal): this import must not type-check.
// @ts-expect-error planCluster is internal
import { planCluster } from "etcd-cluster";

const args: EtcdClusterArgs = {
    hosts: [{ name: "a", url: "ssh://root@10.0.0.1" }, { name: "b", url: "ssh://root@10.0.0.2" }, { name: "c", url: "ssh://root@10.0.0.3" }],
    members: [{ name: "etcd-a", host: "a" }, { name: "etcd-b", host: "b" }, { name: "etcd-c", host: "c" }],
    tls: { mode: "auto" },
    auth: { enabled: true },
    metrics: { enabled: true },
    dataVolumes: { onDestroy: "retain" },
    logs: { options: { "max-size": "20m" } },
};

export function build(): { endpoints: pulumi.Output<string>; first: EtcdMember } {
    try {
        const cluster = new EtcdCluster("etcd", args);
        return { endpoints: cluster.clientEndpoints, first: cluster.members["etcd-a"] };
    } catch (e) {
        if (e instanceof EtcdClusterArgsError) throw new Error(e.problems.join("\n"));
        throw e;
    }
}
