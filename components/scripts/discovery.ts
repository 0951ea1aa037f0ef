/**
 * The scripts that create discovery tokens (https://etcd.io/docs/v3.6/dev-internal/discovery_protocol/): ask a
 * discovery service for one, or write one's size key into an etcd you run (v2 keys API, or the v3 JSON gateway).
 * Each prints what members get (a discovery URL or the token) and nothing else.
 */
import { v2DiscoveryUrl, v3RegistryPrefix, v3SizeKey } from "../plan/bootstrap";
import { retryLoop, shQuote } from "./shell";

/**
 * Asks a discovery service for a new token URL (`<service>/new?size=N`). stdout: the URL, nothing else.
 * A 503 (as the public service has answered) fails with a message that says what to do instead.
 */
export function serviceTokenScript(serviceUrl: string, size: number, attempts: number): string {
    const url = `${serviceUrl}/new?size=${size}`;
    return `set -u
url=${shQuote(url)}
${retryLoop({ attempts }, `if out=$(curl -fsS --max-time 20 "$url" 2>&1); then
  answer=$(printf '%s' "$out" | tr -d '\\r' | sed -e 's/[[:space:]]*$//')
  if printf '%s\\n' "$answer" | grep -Eq '^https?://[^[:space:]/?#]+/[^[:space:]]+$' && [ "$(printf '%s\\n' "$answer" | wc -l)" -eq 1 ]; then
    printf '%s\\n' "$answer"; exit 0
  fi
  printf 'discovery service %s answered %s, which is not a discovery URL (expected one line like https://discovery.etcd.io/<token>).\\n' "$url" "$(printf '%s' "$out" | head -c 300)" >&2
  exit 1
fi
err=$out`)}
case $err in
  *"error: 503"*)
    printf 'discovery service %s answered 503 Service Unavailable (%s attempts). The public discovery.etcd.io is no longer maintained (etcd 3.6 announcement) and has answered 503 before: use bootstrap.mode "static", or a discovery etcd you run (bootstrap.discovery.endpoints).\\n' "$url" "$attempt" >&2 ;;
  *)
    printf 'could not get a discovery token from %s after %s attempts: %s\\n' "$url" "$attempt" "$err" >&2 ;;
esac
exit 1
`;
}

/**
 * Creates a self-hosted v2 token: `PUT <endpoint>/v2/keys/discovery/<token>/_config/size` with value=N
 * (the etcd docs' own recipe). stdout: the discovery URL members get as `ETCD_DISCOVERY`.
 */
export function v2TokenScript(endpoint: string, token: string, size: number, attempts: number): string {
    const discoveryUrl = v2DiscoveryUrl(endpoint, token);
    return `set -u
url=${shQuote(`${discoveryUrl}/_config/size`)}
${retryLoop({ attempts }, `if out=$(curl -fsS --max-time 10 -X PUT "$url" -d value=${size} 2>&1); then ok=1; else err=$out; fi`)}
if [ "$ok" != 1 ]; then
  printf 'could not create the v2 discovery token at %s after %s attempts: %s\\nThe discovery etcd must be ≤ 3.5 and started with --enable-v2 (ETCD_ENABLE_V2=true).\\n' "$url" "$attempt" "$err" >&2
  exit 1
fi
printf '%s\\n' ${shQuote(discoveryUrl)}
`;
}

/** Best-effort removal of a self-hosted v2 token's keys (they are useless after the bootstrap). */
export function v2TokenDeleteScript(endpoint: string, token: string): string {
    return `curl -fsS --max-time 10 -X DELETE ${shQuote(`${v2DiscoveryUrl(endpoint, token)}?recursive=true`)} >/dev/null 2>&1 || true\n`;
}

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

/**
 * Creates a v3 token: `/_etcd/registry/<token>/_config/size = N`, written through the v3 JSON gateway
 * (`POST <endpoint>/v3/kv/put`, base64 key and value) rather than `etcdctl put`, because only curl is assumed
 * where Pulumi runs; it is the same v3 KV API. Tries each endpoint in turn. stdout: the token.
 */
export function v3TokenScript(endpoints: string[], token: string, size: number, attempts: number): string {
    const body = JSON.stringify({ key: b64(v3SizeKey(token)), value: b64(String(size)) });
    return `set -u
body=${shQuote(body)}
${retryLoop({ attempts }, `for ep in ${endpoints.map(shQuote).join(" ")}; do
  if out=$(curl -fsS --max-time 10 -X POST "$ep/v3/kv/put" -H 'Content-Type: application/json' -d "$body" 2>&1) && printf '%s' "$out" | grep -q '"header"'; then ok=1; break; fi
  err="$ep: $out"
done`)}
if [ "$ok" != 1 ]; then
  printf 'could not create the v3 discovery token %s after %s attempts: %s\\n' ${shQuote(v3SizeKey(token))} "$attempt" "$err" >&2
  exit 1
fi
printf '%s\\n' ${shQuote(token)}
`;
}

/** Best-effort removal of a v3 token's keys: deleterange over the `/_etcd/registry/<token>/` prefix. */
export function v3TokenDeleteScript(endpoints: string[], token: string): string {
    const prefix = `${v3RegistryPrefix}/${token}/`;
    // range_end = prefix with its last byte + 1 ("/" + 1 = "0"): every key under the prefix.
    const body = JSON.stringify({ key: b64(prefix), range_end: b64(prefix.slice(0, -1) + "0") });
    return `for ep in ${endpoints.map(shQuote).join(" ")}; do curl -fsS --max-time 10 -X POST "$ep/v3/kv/deleterange" -d ${shQuote(body)} >/dev/null 2>&1 && break; done; true\n`;
}
