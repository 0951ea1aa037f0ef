/**
 * A {@link KvClient} over etcd's gRPC API, one etcdctl process per request: for a cluster with TLS, client
 * certificate auth and auth on, where the JSON gateway refuses every `/v3/` request made with a client certificate
 * that has a common name (HTTP 400 "CommonName of client sending a request against gateway will be ignored and not
 * used as expected", etcd server/embed/serve.go), as the component's own client certificate has. Over gRPC a token
 * wins over the certificate's name. Each process logs in afresh, so a member's restart cannot leave a stale token.
 * The credentials reach etcdctl through `ETCDCTL_USER` in its environment: never argv.
 */
import { ClientTlsFiles, etcdctlTls } from "./lab";
import type { KvClient } from "./writeLoad";

export function etcdctlKv(files: ClientTlsFiles, user: string): KvClient {
    return {
        async put(endpoint, key, value) {
            const r = await etcdctlTls([endpoint], files, { user }, "put", key, value);
            return r.code === 0 && r.stdout.trim() === "OK" ? { acked: true } : { acked: false, answer: `etcdctl exit ${r.code}: ${r.stderr.trim().slice(0, 300)}` };
        },
        async readPrefix(endpoints, prefix) {
            // Linearizable (etcdctl's default consistency): every acknowledged put is visible.
            const r = await etcdctlTls(endpoints, files, { user }, "get", "--prefix", prefix, "-w", "json");
            if (r.code !== 0) throw new Error(`etcdctl get --prefix ${prefix} through ${endpoints.join(", ")} failed: ${r.stderr.trim()}`);
            const kvs = (JSON.parse(r.stdout) as { kvs?: { key: string; value?: string }[] }).kvs ?? [];
            const text = (s: string) => Buffer.from(s, "base64").toString("utf8");
            return new Map(kvs.map((kv) => [text(kv.key), text(kv.value ?? "")]));
        },
        close: () => undefined,
    };
}
