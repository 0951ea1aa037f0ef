import * as pulumi from "@pulumi/pulumi";
import { EtcdCluster } from "./components/etcdCluster";
import { readClusterConfig } from "./components/stackConfig";

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
