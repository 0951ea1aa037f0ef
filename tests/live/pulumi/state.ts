/**
 * A stack's state as `pulumi stack export --show-secrets` writes it (checkpoint version 3, pulumi/pulumi
 * `sdk/go/common/apitype/core.go` ResourceV3), with each resource's name taken from its URN, and the way back for
 * `pulumi stack import`.
 */
import type { Deployment } from "@pulumi/pulumi/automation";
import { urnName } from "./events";

/** The signature key of a secret in serialized state (pulumi/pulumi `sdk/go/common/resource/sig`). */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

export interface ExportedResource {
    urn: string;
    type: string;
    /** From the URN (not a field of the state itself: dropped again on import). */
    name: string;
    custom?: boolean;
    id?: string;
    parent?: string;
    provider?: string;
    inputs?: Record<string, any>;
    outputs?: Record<string, any>;
    dependencies?: string[];
    propertyDependencies?: Record<string, string[]>;
    protect?: boolean;
    retainOnDelete?: boolean;
    deletedWith?: string;
    [other: string]: unknown;
}

export function exportedResources(d: Deployment): ExportedResource[] {
    const resources = (d.deployment?.resources ?? []) as ExportedResource[];
    return resources.map((r) => ({ ...r, name: urnName(r.urn) }));
}

export function importResources(d: Deployment, resources: ExportedResource[]): Deployment {
    return { ...d, deployment: { ...d.deployment, resources: resources.map(({ name: _name, ...r }) => r) } };
}

/**
 * The value with every exported secret replaced by its plain text (`{sig: secret, plaintext: "<JSON>"}`): what
 * a test compares, never what it writes back.
 */
export function plain<T>(value: T): T {
    if (Array.isArray(value)) return value.map(plain) as T;
    if (value === null || typeof value !== "object") return value;
    const o = value as Record<string, unknown>;
    if (o[SECRET_SIG] !== undefined && typeof o.plaintext === "string") return plain(JSON.parse(o.plaintext));
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, plain(v)])) as T;
}
