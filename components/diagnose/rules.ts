/**
 * What a member's own log says went wrong, and what to do: a table of log patterns, most specific first, each with
 * its cause and fix. The patterns match etcd 3.4's text logger (capnslog) and the JSON of 3.5–3.7's zap alike, since
 * they look for the words etcd writes, not for a format. Where a later etcd words a fault differently, both wordings
 * are listed (v3 discovery, 3.6's default, logs "failed to get cluster size from discovery service"; v2 discovery
 * "failed to get from discovery server"). They are written in the common subset of JavaScript and
 * POSIX extended regular expressions. Pure data.
 */

/** One known failure, as etcd logs it. */
export interface LogRule {
    id: string;
    /** Case-sensitive regular expression a log line must match. */
    pattern: string;
    cause: string;
    fix: string;
}

/** @internal */
export const logRules: LogRule[] = [
    {
        id: "flag-and-env",
        pattern: "conflicting environment variable|shadowed by corresponding command-line flag",
        cause: "the same setting is given both as a command-line flag and as an ETCD_* environment variable, and etcd refuses to start",
        fix: "the component configures etcd only through ETCD_* variables: use the image's default command (no etcd flags in the container's command)",
    },
    {
        id: "data-dir-permission",
        pattern: "cannot access data directory|(open|mkdir|rename|remove|create) [^ ]*: permission denied",
        cause: "etcd cannot write its data directory (permission denied)",
        fix: "the data volume must be writable by the user etcd runs as: fix the volume's ownership, or run the image as its default user",
    },
    {
        id: "space-exceeded",
        pattern: "database space exceeded|NOSPACE",
        cause: "the database reached its quota (tuning.quotaBackendBytes): etcd now accepts only reads and deletes",
        fix: "compact and defragment (etcdctl compact <revision>; etcdctl defrag), then etcdctl alarm disarm; raise tuning.quotaBackendBytes " +
            "if the data needs the space (https://etcd.io/docs/v3.5/op-guide/maintenance/#space-quota)",
    },
    {
        id: "address-in-use",
        pattern: "address already in use",
        cause: "a port the member must listen on is taken by another process on its host",
        fix: "free the port (ss -ltnp on the host shows who holds it) or give the member other ports (clientPort, peerPort, metricsPort)",
    },
    {
        id: "member-removed",
        // Not "failed to find remote peer in cluster": members log it while a cluster forms, too.
        pattern: "must be removed|permanently removed from the cluster",
        cause: "the cluster removed this member, and it was started again on its old data",
        fix: "delete its container and data volume (docker rm -f <container>; docker volume rm <volume>) and deploy again: it joins as a new member",
    },
    {
        id: "cluster-id-mismatch",
        pattern: "cluster ID mismatch",
        cause: "members with data of different clusters talk to each other (a data volume of another cluster, or a member moved between clusters)",
        fix: "compare cluster IDs (etcdctl endpoint status -w json): the member whose data belongs to another cluster must lose its container " +
            "and volume and join again",
    },
    {
        id: "tls-unknown-authority",
        pattern: "certificate signed by unknown authority",
        cause: "a certificate was signed by a CA the other side does not trust",
        fix: "members and clients need certificates from one CA (tls.provided.ca, or tls.mode \"auto\" for all of them)",
    },
    {
        id: "tls-name-mismatch",
        pattern: "certificate is valid for|doesn't contain any IP SANs|cannot validate certificate for",
        cause: "a member's certificate does not cover the address it is reached at",
        fix: "its certificate must list the member's address or DNS name: with tls.mode \"auto\" set members[].address to what peers dial; " +
            "with provided certificates, reissue them with that SAN",
    },
    {
        id: "tls-expired",
        pattern: "certificate has expired or is not yet valid",
        cause: "a certificate has expired (or the clocks of the hosts disagree)",
        fix: "renew the certificates (tls.validityHours applies to new ones), and check the hosts' clocks",
    },
    {
        id: "tls-handshake",
        pattern: "tls: bad certificate|remote error: tls|first record does not look like a TLS handshake|http: server gave HTTP response to HTTPS client",
        cause: "a TLS handshake failed: one side speaks http and the other https, or a client certificate is missing or refused",
        fix: "every member must use the same tls settings; clients need the CA and, with clientCertAuth, a client certificate",
    },
    {
        id: "discovery-full",
        pattern: "cluster is full",
        cause: "the discovery token already holds as many members as its size",
        fix: "a discovery token bootstraps one cluster once: delete the members' volumes and deploy again with a new token",
    },
    {
        id: "discovery-unreachable",
        pattern: "failed to get from discovery server|from discovery service|discovery: .*(connection refused|no such host|i/o timeout)",
        cause: "the discovery service cannot be reached from the member",
        fix: "check that bootstrap.discovery (endpoints or serviceUrl) is reachable from the Docker hosts",
    },
    {
        id: "dns-srv-missing",
        pattern: "_etcd-server(-ssl)?\\._tcp|SRV|cannot find local etcd member|error setting up initial cluster: lookup",
        cause: "DNS does not answer the names bootstrap.dns needs: its SRV records, or the members' names, are missing, or the DNS server is not reachable",
        fix: "check the records (dig +short SRV _etcd-server._tcp.<domain>, _etcd-server-ssl with TLS; dig +short <member name>) and that the members use that DNS server",
    },
    {
        id: "io-timeout",
        pattern: "i/o timeout",
        cause: "connections to another member time out: a firewall drops the port, or the address is wrong",
        fix: "open the peer and client ports between the hosts and check members[].address",
    },
    {
        id: "peer-refused",
        pattern: "connection refused",
        cause: "another member's port refuses connections: that member is down, or not listening there",
        fix: "start the members that are down and look at their own diagnosis",
    },
    {
        id: "no-leader",
        pattern: "is starting a new election at term|became pre-candidate at term|lost leader",
        cause: "no leader: fewer than a quorum of members can talk to each other",
        fix: "bring a majority of the members back, or repair the network between them",
    },
];
