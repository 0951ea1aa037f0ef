/**
 * The scripts around dnsmasq: writing and removing the drop-in file on a dnsmasq server over ssh, and the check
 * that the SRV records resolve before any member starts. dnsmasq re-reads only hosts files on SIGHUP, not its
 * configuration (dnsmasq(8), https://thekelleys.org.uk/dnsmasq/docs/dnsmasq-man.html), so a changed drop-in
 * needs a restart, which is what the default reload command does.
 */
import * as net from "net";
import type { DnsRecords } from "../plan/dns";
import { retryLoop, shQuote } from "./shell";

/** Remote create/update: the config arrives on stdin, is written atomically, then dnsmasq is restarted/reloaded. */
export function remoteWriteScript(path: string, reloadCommand: string): string {
    const f = shQuote(path);
    return `set -e; umask 022; mkdir -p "$(dirname ${f})"; cat >${shQuote(`${path}.tmp`)}; mv -f ${shQuote(`${path}.tmp`)} ${f}; ${reloadCommand}`;
}

/** Remote delete: the drop-in goes, then dnsmasq is restarted/reloaded. */
export function remoteDeleteScript(path: string, reloadCommand: string): string {
    return `set -e; rm -f ${shQuote(path)}; ${reloadCommand}`;
}

/**
 * Asks `dig +noall +answer SRV _etcd-server._tcp.<domain> @server -p port`, retried (one second apart, at most
 * `attempts` times) until exactly one answer per member with the expected targets and ports comes back, and
 * every target's host record resolves to its address. stdout: the answers.
 */
export function srvCheckScript(records: DnsRecords, server: string, port: number, attempts: number): string {
    const n = records.server.length;
    const expected = records.server.map((r) => `${r.port} ${r.target}.`).sort().join("\n");
    const hosts = records.hosts.map((h) => `${h.name} ${net.isIPv6(h.address) ? "AAAA" : "A"} ${h.address}`).join("\n");
    const attempt = `out=$(dig +noall +answer +time=2 +tries=1 SRV "$name" @"$server" -p "$port" 2>&1)
got=$(printf '%s\\n' "$out" | awk '$4 == "SRV" { print $7 " " $8 }' | sort)
count=$(printf '%s\\n' "$out" | awk '$4 == "SRV"' | wc -l)
bad=""
if [ "$count" -eq ${n} ] && [ "$got" = "$expected" ]; then
  bad=$(printf '%s\\n' "$hosts" | while read -r host type addr; do
    ans=$(dig +short +time=2 +tries=1 "$type" "$host" @"$server" -p "$port" 2>&1)
    [ "$ans" = "$addr" ] || printf ' %s(%s: %s, expected %s)' "$host" "$type" "\${ans:-nothing}" "$addr"
  done)
  [ -n "$bad" ] || ok=1
fi`;
    return `set -u
name=${shQuote(records.serverService)}
server=${shQuote(server)}
port=${port}
expected=${shQuote(expected)}
hosts=${shQuote(hosts)}
command -v dig >/dev/null 2>&1 || { echo "the DNS check needs dig where Pulumi runs (Debian: apt-get install bind9-dnsutils)" >&2; exit 1; }
${retryLoop({ attempts }, attempt, 1)}
if [ "$ok" = 1 ]; then printf '%s\\n' "$out"; exit 0; fi
{
  printf 'DNS check failed after %s attempts: %s @%s -p %s must give exactly ${n} SRV answers (one per member).\\n' "$attempt" "$name" "$server" "$port"
  printf 'expected (port target):\\n%s\\ngot %s answer(s):\\n%s\\n' "$expected" "$count" "$out"
  [ -z "$bad" ] || printf 'host records wrong:%s\\n' "$bad"
} >&2
exit 1
`;
}
