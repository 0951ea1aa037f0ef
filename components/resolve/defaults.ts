/** Every default the arguments' TSDoc promises, in one place. */
import type { DockerHostArgs } from "../args";

/** The official image at a pinned 3.6 patch (https://github.com/etcd-io/etcd/releases). */
export const defaultImage = "gcr.io/etcd-development/etcd:v3.6.17";
export const defaultLocalHost: DockerHostArgs = { name: "local", url: "unix:///var/run/docker.sock" };
export const defaultClientPort = 2379;
export const defaultPeerPort = 2380;
export const defaultHealthCheckTimeoutSeconds = 120;
export const defaultValidityHours = 87600;
/** The public discovery service: never a default (unmaintained, seen answering 503), only when named as serviceUrl. */
export const publicDiscoveryService = "https://discovery.etcd.io";
export const defaultDiscoveryAttempts = 5;
export const defaultDnsPort = 53;
export const defaultCheckAttempts = 30;
export const defaultSshPort = 22;
export const defaultSshUser = "root";
/** dnsmasq re-reads only hosts files on SIGHUP, not its configuration (dnsmasq(8), SIGHUP), so a drop-in needs a restart. */
export const defaultReloadCommand = "systemctl restart dnsmasq";
export const defaultRollout = { memberTimeoutSeconds: 180, maxAppliedLag: 1000, stopGraceSeconds: 30, snapshotDir: "etcd-snapshots", snapshotBeforeChanges: true };
/** Docker log rotation for `json-file` and `local`: at most 5 files of 10 MB per member. */
export const defaultLogOptions: Record<string, string> = { "max-size": "10m", "max-file": "5" };
