import * as pulumi from "@pulumi/pulumi";
import { EtcdCluster } from "./components/resources/etcdCluster";
import { readClusterConfig } from "./components/resolve/stackConfig";

// The program: one EtcdCluster described entirely by the stack's config (stacks/Pulumi.<stack>.yaml).
const { clusterName, args } = readClusterConfig(pulumi.runtime.allConfig(), pulumi.getProject());
const cluster = new EtcdCluster(clusterName, args);

export const clientEndpoints = cluster.clientEndpoints;
export const clientEndpointList = cluster.clientEndpointList;
export const peerUrls = cluster.peerUrls;
export const initialCluster = cluster.initialCluster;
export const memberNames = cluster.memberNames;
export const clusterToken = cluster.clusterToken;
export const etcdctlEnv = cluster.etcdctlEnv;
export const healthReport = cluster.healthReport;
export const discoveryUrl = cluster.discoveryUrl;
export const dnsmasqConfig = cluster.dnsmasqConfig;
// Secure clusters (tls/auth): the CA in the clear; client certificate, key and root password as secrets.
export const caCertificate = cluster.caCertificate;
export const clientCertificate = cluster.clientCertificate;
export const clientKey = cluster.clientKey;
export const rootPassword = cluster.rootPassword;
export const authReport = cluster.authReport;
export const metricsTargets = cluster.metricsTargets;
export const diagnoseScript = cluster.diagnoseScript;
// The snapshot saved before the last change of the members (undefined until one is saved).
export const lastSnapshot = cluster.lastSnapshot;
