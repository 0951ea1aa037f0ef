/**
 * The package entry: the EtcdCluster component, its per-member EtcdMember, and the argument types.
 *
 * The layout follows the flow of a deployment: `args/` (the argument types) → `resolve/` (checks and defaults,
 * giving the resolved model) → `plan/` (pure planning of every member, host and record) → `scripts/` (the shell
 * scripts the commands run) → `resources/` (the components and the resources they create).
 */
export * from "./args";
export { EtcdCluster } from "./resources/etcdCluster";
export { EtcdMember } from "./resources/etcdMember";
export { EtcdClusterArgsError } from "./resolve/argChecks";

// Internals: exported for this repository's program, tests and benchmarks; not part of the package's API.

/** @internal */
export { etcdClusterType } from "./resources/etcdCluster";
/** @internal */
export { etcdMemberType } from "./resources/etcdMember";
/** @internal */
export type { EtcdMemberInputs } from "./resources/etcdMember";
/** @internal */
export { resolveClusterArgs } from "./resolve/cluster";
/** @internal */
export { defaultImage } from "./resolve/defaults";
/** @internal */
export { planCluster } from "./plan/cluster";
/** @internal */
export { foundingLines, memberEnv } from "./plan/member";
/** @internal */
export { healthCheckScript, healthCheckSpec } from "./scripts/healthCheck";
/** @internal */
export { parseEtcdVersion, versionFromImage } from "./resolve/etcdVersion";
/** @internal */
export { readClusterConfig } from "./resolve/stackConfig";
/** @internal */
export { dnsRecords, renderDnsmasqConfig } from "./plan/dns";
