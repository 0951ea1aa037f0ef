export * from "./args";
export { EtcdCluster, etcdClusterType } from "./etcdCluster";
export { EtcdClusterArgsError, resolveClusterArgs, defaultImage } from "./validation";
export { planCluster, memberEnv } from "./memberPlan";
export { healthCheckScript, healthCheckSpec } from "./healthCheck";
export { parseEtcdVersion, versionFromImage } from "./etcdVersion";
export { readClusterConfig } from "./stackConfig";
export { dnsRecords, renderDnsmasqConfig } from "./dnsmasq";
