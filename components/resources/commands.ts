/**
 * The commands that run where Pulumi runs once the members exist: the health check and, with `auth`, the
 * command that enables authentication, with the root password they use. Their scripts come from scripts/.
 */
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import * as random from "@pulumi/random";
import type { ClusterPlan } from "../plan/cluster";
import type { ResolvedCluster } from "../resolve/model";
import { clientCommonName } from "../plan/security";
import type { ClusterAccess } from "../scripts/access";
import { authEnableScript } from "../scripts/auth";
import { healthCheckScript, healthCheckSpec } from "../scripts/healthCheck";
import { rootPasswordEnv, tlsEnvName } from "../scripts/shell";

/** The root password: given (made secret) or generated and kept in state; undefined without auth. */
export function createRootPassword(name: string, cluster: ResolvedCluster, parent: pulumi.Resource): pulumi.Output<string> | undefined {
    if (!cluster.auth.enabled) return undefined;
    if (cluster.auth.rootPassword !== undefined) return pulumi.secret(cluster.auth.rootPassword);
    // Letters and digits only: etcdctl reads the password from stdin up to the first blank.
    return pulumi.secret(new random.RandomPassword(`${name}-root-password`, { length: 32, special: false }, { parent }).result);
}

/**
 * Environment of every command that reaches the Docker hosts with the docker CLI: tcp hosts' TLS PEMs (keys as
 * secrets) and, with auth, the root password (a secret). Never argv.
 */
export function commandEnvironment(plan: ClusterPlan, rootPassword: pulumi.Output<string> | undefined): Record<string, pulumi.Input<string>> {
    const environment: Record<string, pulumi.Input<string>> = {};
    plan.hosts.forEach((h, i) => {
        if (h.host.scheme === "tcp") {
            environment[tlsEnvName(i, "ca")] = h.host.caMaterial!;
            environment[tlsEnvName(i, "cert")] = h.host.certMaterial!;
            environment[tlsEnvName(i, "key")] = pulumi.secret(h.host.keyMaterial!);
        }
    });
    if (rootPassword !== undefined) environment[rootPasswordEnv] = pulumi.secret(rootPassword);
    return environment;
}

/**
 * The post-deploy health check: after every member's gate, re-run whenever a container is replaced. With the root password
 * in its environment nothing of it goes to the engine's log (`logging: "none"`); its stdout, the report, is
 * still captured, and a failure's message still carries its output.
 */
export function createHealthCheck(
    name: string,
    access: ClusterAccess,
    cluster: ResolvedCluster,
    plan: ClusterPlan,
    rootPassword: pulumi.Output<string> | undefined,
    containers: pulumi.CustomResource[],
    gates: pulumi.Resource[],
    parent: pulumi.Resource,
): command.local.Command {
    return new command.local.Command(`${name}-health`, {
        create: healthCheckScript(healthCheckSpec(access, plan, cluster.healthCheck.timeoutSeconds)),
        // tcp hosts' TLS material and the root password: environment, never argv.
        environment: commandEnvironment(plan, rootPassword),
        ...(rootPassword === undefined ? {} : { logging: "none" as const }),
        // Re-check whenever a member container is replaced.
        triggers: containers.map((c) => c.id),
    }, { parent, dependsOn: [...containers, ...gates] });
}

/**
 * The command that creates the root user and enables authentication once the cluster is healthy (after
 * `dependsOn`). Idempotent: run again (new containers, a second `up`), it finds auth on and changes nothing.
 */
export function createAuthCommand(
    name: string,
    access: ClusterAccess,
    cluster: ResolvedCluster,
    plan: ClusterPlan,
    rootPassword: pulumi.Output<string>,
    triggers: pulumi.Input<string>[],
    dependsOn: pulumi.Resource[],
    parent: pulumi.Resource,
): command.local.Command {
    return new command.local.Command(`${name}-auth`, {
        create: authEnableScript({
            ...access,
            timeoutSeconds: cluster.healthCheck.timeoutSeconds,
            // Provided certificates carry the user's own name: whether it is an etcd user is the user's business.
            certUser: cluster.tls.mode === "auto" && cluster.tls.clientCertAuth ? clientCommonName : undefined,
        }),
        environment: commandEnvironment(plan, rootPassword),
        // The script never prints the password; still, nothing of this command goes to the engine's log.
        logging: "none",
        triggers,
    }, { parent, dependsOn });
}
