/** The Docker side of every host: one provider per host and, where members run, the etcd image. */
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import type { ClusterPlan } from "../plan/cluster";
import type { ResolvedHost } from "../resolve/model";

/** Docker labels in the provider's form. */
export function toLabels(labels: Record<string, string>): docker.types.input.ContainerLabel[] {
    return Object.entries(labels).map(([label, value]) => ({ label, value }));
}

/** The docker provider of one host: its url, ssh options, and the TLS PEMs of a tcp host (the key as a secret). */
export function providerArgs(host: ResolvedHost): docker.ProviderArgs {
    return {
        host: host.url,
        sshOpts: host.sshOpts.length > 0 ? host.sshOpts : undefined,
        caMaterial: host.caMaterial,
        certMaterial: host.certMaterial,
        keyMaterial: host.keyMaterial === undefined ? undefined : pulumi.secret(host.keyMaterial),
    };
}

export interface HostResources {
    provider: docker.Provider;
    /** The etcd image on this host; undefined on a host that runs only the dnsmasq of DNS bootstrap. */
    image?: docker.RemoteImage;
}

/** A provider per planned host and the etcd image where members run, by host name. */
export function createHostResources(name: string, image: string, plan: ClusterPlan, parent: pulumi.Resource): Map<string, HostResources> {
    return new Map(plan.hosts.map((h) => {
        const provider = new docker.Provider(`${name}-${h.name}`, providerArgs(h.host), { parent });
        const etcdImage = h.memberNames.length === 0 ? undefined : new docker.RemoteImage(`${name}-${h.name}-image`, {
            name: image,
            // Other clusters and the user's own containers may use the same image on that host.
            keepLocally: true,
        }, { parent, provider });
        return [h.name, { provider, image: etcdImage }] as const;
    }));
}
