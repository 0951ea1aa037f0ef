import * as pulumi from "@pulumi/pulumi";
import type { EtcdClusterArgs } from "../args";
import { EtcdClusterArgsError } from "./argChecks";

/** Stack config keys (`<project>:<key>`) and whether their value is structured (YAML object/list) or a string. */
const configKeys: Record<string, "object" | "string"> = {
    clusterName: "string",
    members: "object",
    hosts: "object",
    image: "string",
    etcdVersion: "string",
    clusterToken: "string",
    networkMode: "string",
    restartPolicy: "string",
    tuning: "object",
    extraEnv: "object",
    labels: "object",
    healthCheck: "object",
    bootstrap: "object",
    tls: "object",
    auth: "object",
    rollout: "object",
    logs: "object",
    resources: "object",
    metrics: "object",
    dataVolumes: "object",
    restore: "object",
    maintenance: "object",
};

export interface ClusterConfig {
    /** Name of the EtcdCluster resource (config `clusterName`, default `etcd`). */
    clusterName: string;
    args: EtcdClusterArgs;
}

/**
 * Reads a stack's config (as `pulumi.runtime.allConfig()` returns it: `"<project>:<key>" → string`) into
 * EtcdCluster arguments. An unknown key of this project is an error rather than a silently ignored typo;
 * keys of other namespaces (`docker:host`, `pulumi:…`) are left alone. The values themselves are checked by
 * the component's own validation, the same way as for a program that builds the component directly.
 */
export function readClusterConfig(raw: Record<string, string>, project: string): ClusterConfig {
    const problems: string[] = [];
    const values: Record<string, unknown> = {};
    for (const [fullKey, text] of Object.entries(raw)) {
        const separator = fullKey.indexOf(":");
        if (fullKey.slice(0, separator) !== project) {
            continue;
        }
        const key = fullKey.slice(separator + 1);
        const kind = configKeys[key];
        if (kind === undefined) {
            problems.push(`${fullKey}: unknown setting; the settings are ${Object.keys(configKeys).join(", ")}.`);
        } else if (kind === "object") {
            try {
                values[key] = JSON.parse(text);
            } catch {
                problems.push(`${fullKey}: ${JSON.stringify(text)} is not structured YAML; write it as a YAML list or map.`);
            }
        } else {
            values[key] = text;
        }
    }
    if (values.members === undefined) {
        problems.push(`${project}:members: missing; list the members, e.g. [{ name: etcd-n1, host: h1 }].`);
    }
    if (problems.length > 0) {
        throw new EtcdClusterArgsError(problems, "stack config");
    }
    const { clusterName, clusterToken, ...rest } = values;
    // A root password in config (set it with `pulumi config set --secret`) stays a secret.
    const auth = rest.auth as EtcdClusterArgs["auth"];
    if (auth && typeof auth === "object" && auth.rootPassword !== undefined) {
        rest.auth = { ...auth, rootPassword: pulumi.secret(auth.rootPassword) };
    }
    return {
        clusterName: (clusterName as string | undefined) ?? "etcd",
        args: {
            ...(rest as Omit<EtcdClusterArgs, "clusterToken">),
            clusterToken: clusterToken === undefined ? undefined : pulumi.secret(clusterToken as string),
        } as EtcdClusterArgs,
    };
}
