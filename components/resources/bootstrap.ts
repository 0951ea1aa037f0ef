/**
 * The resources a bootstrap mode needs before any member starts: the discovery token (and the command that
 * registers it), or the dnsmasq serving the SRV records and the check that they resolve. Everything is
 * decided by the pure plan (plan/bootstrap.ts, plan/dns.ts) and the scripts (scripts/discovery.ts,
 * scripts/dnsmasq.ts); this file only creates children of the component.
 */
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import * as command from "@pulumi/command";
import * as random from "@pulumi/random";
import type { ClusterPlan } from "../plan/cluster";
import { dnsmasqConfigPath, dnsmasqContainerCommand } from "../plan/dns";
import { clusterLabel, dnsmasqRoleLabel } from "../plan/labels";
import type { ResolvedCluster } from "../resolve/model";
import { serviceTokenScript, v2TokenDeleteScript, v2TokenScript, v3TokenDeleteScript, v3TokenScript } from "../scripts/discovery";
import { remoteDeleteScript, remoteWriteScript, srvCheckScript } from "../scripts/dnsmasq";
import { toLabels } from "./docker";

export interface BootstrapResources {
    /** Discovery mode: what members get as ETCD_DISCOVERY (v2 URL) or ETCD_DISCOVERY_TOKEN (v3). */
    discoveryValue?: pulumi.Output<string>;
    /** v2 discovery URL; empty in other modes and for v3 (which has no URL, only endpoints and a token). */
    discoveryUrl: pulumi.Output<string>;
    /** The rendered dnsmasq config in dns mode; empty otherwise. */
    dnsmasqConfig: pulumi.Output<string>;
    /** Member containers must wait for these (the token exists; the SRV records resolve). */
    memberDependsOn: pulumi.Resource[];
    /** Docker `dns` for member containers, when they are pointed at the managed dnsmasq. */
    memberDns?: string[];
}

/**
 * Creates the bootstrap resources of a planned cluster as children of `parent`. `providerFor` gives the
 * component's docker provider of a host (for the dnsmasq container).
 */
export function createBootstrapResources(
    name: string,
    cluster: ResolvedCluster,
    plan: ClusterPlan,
    parent: pulumi.Resource,
    providerFor: (hostName: string) => docker.Provider,
): BootstrapResources {
    const boot = cluster.bootstrap;
    const size = plan.members.length;
    const none = pulumi.output("");
    if (boot.mode === "discovery") {
        if (boot.source === "service") {
            // A new token (a new request) whenever the member set or the service changes: tokens are single-use.
            const token = new command.local.Command(`${name}-discovery`, {
                create: serviceTokenScript(boot.serviceUrl, size, boot.attempts),
                triggers: [plan.memberSetKey, boot.serviceUrl],
            }, { parent });
            return { discoveryValue: token.stdout, discoveryUrl: token.stdout, dnsmasqConfig: none, memberDependsOn: [token] };
        }
        const tokenId = new random.RandomId(`${name}-discovery-token`, {
            byteLength: 16,
            keepers: { members: plan.memberSetKey, size: String(size) },
        }, { parent });
        const token = tokenId.hex;
        const endpoints = boot.endpoints;
        const register = new command.local.Command(`${name}-discovery`, boot.protocol === "v2" ? {
            create: token.apply((t) => v2TokenScript(endpoints[0], t, size, boot.attempts)),
            delete: token.apply((t) => v2TokenDeleteScript(endpoints[0], t)),
            triggers: [token, endpoints[0]],
        } : {
            create: token.apply((t) => v3TokenScript(endpoints, t, size, boot.attempts)),
            delete: token.apply((t) => v3TokenDeleteScript(endpoints, t)),
            triggers: [token, endpoints.join(",")],
        }, { parent });
        // stdout is the URL (v2) or the token (v3), so members take it from the command that registered it.
        return {
            discoveryValue: register.stdout,
            discoveryUrl: boot.protocol === "v2" ? register.stdout : none,
            dnsmasqConfig: none,
            memberDependsOn: [register],
        };
    }
    if (boot.mode !== "dns") {
        return { discoveryUrl: none, dnsmasqConfig: none, memberDependsOn: [] };
    }
    const config = plan.dns!.dnsmasqConfig;
    const dnsmasq = boot.dnsmasq;
    if (!dnsmasq) {
        return { discoveryUrl: none, dnsmasqConfig: pulumi.output(config), memberDependsOn: [] };
    }
    let server: pulumi.CustomResource;
    if (dnsmasq.kind === "container") {
        const provider = providerFor(dnsmasq.host.name);
        const image = new docker.RemoteImage(`${name}-dnsmasq-image`, { name: dnsmasq.image, keepLocally: true }, { parent, provider });
        const labels = { ...cluster.labels, [clusterLabel]: cluster.clusterName, [dnsmasqRoleLabel]: "dnsmasq" };
        server = new docker.Container(`${name}-dnsmasq`, {
            name: dnsmasq.containerName,
            image: image.imageId,
            entrypoints: ["dnsmasq"],
            command: dnsmasqContainerCommand(dnsmasq.serverAddress, dnsmasq.serverPort),
            networkMode: "host",
            uploads: [{ file: dnsmasqConfigPath, content: config }],
            restart: cluster.restartPolicy,
            labels: toLabels(labels),
            mustRun: true,
        }, { parent, provider, deleteBeforeReplace: true });
    } else {
        server = new command.remote.Command(`${name}-dnsmasq-records`, {
            // The ssh key is a secret whether or not it was given as one.
            connection: { host: dnsmasq.sshHost, port: dnsmasq.sshPort, user: dnsmasq.user, privateKey: dnsmasq.privateKey === undefined ? undefined : pulumi.secret(dnsmasq.privateKey) },
            stdin: config,
            create: remoteWriteScript(dnsmasq.path, dnsmasq.reloadCommand),
            update: remoteWriteScript(dnsmasq.path, dnsmasq.reloadCommand),
            delete: remoteDeleteScript(dnsmasq.path, dnsmasq.reloadCommand),
            // A new path replaces the file: delete the old one first (both would otherwise touch one server's config).
            triggers: [dnsmasq.path],
        }, { parent, deleteBeforeReplace: true });
    }
    const check = new command.local.Command(`${name}-dns-check`, {
        create: srvCheckScript(plan.dns!.records, dnsmasq.serverAddress, dnsmasq.serverPort, dnsmasq.checkAttempts),
        // Re-check whenever the records or the server change.
        triggers: [config, server.id],
    }, { parent, dependsOn: [server] });
    return {
        discoveryUrl: none,
        dnsmasqConfig: pulumi.output(config),
        memberDependsOn: [check],
        memberDns: dnsmasq.useForMembers ? [dnsmasq.serverAddress] : undefined,
    };
}
