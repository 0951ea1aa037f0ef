/** Docker labels the component puts on what it creates, so `docker ps --filter label=…` finds a cluster's parts. */
export const clusterLabel = "etcd-cluster.cluster";
export const memberLabel = "etcd-cluster.member";
export const dnsmasqRoleLabel = "etcd-cluster.role";
