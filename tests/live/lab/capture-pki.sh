#!/usr/bin/env bash
# A throw-away CA and one peer certificate per member, for capture-faults.sh's TLS fault (openssl only).
#   ./capture-pki.sh OUTDIR NAME=IP...   -> OUTDIR/<NAME>/{ca.crt,peer.crt,peer.key}; SANs: IP, 127.0.0.1, localhost
set -euo pipefail
out=${1:?out dir}; shift
mkdir -p "$out"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=capture-ca \
  -keyout "$out/ca.key" -out "$out/ca.crt" 2>/dev/null
for m in "$@"; do
  name=${m%%=*} ip=${m#*=} d="$out/${m%%=*}"
  mkdir -p "$d" && cp "$out/ca.crt" "$d/"
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$name" -keyout "$d/peer.key" -out "$d/peer.csr" 2>/dev/null
  printf 'subjectAltName=IP:%s,IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n' "$ip" >"$d/ext"
  openssl x509 -req -in "$d/peer.csr" -CA "$out/ca.crt" -CAkey "$out/ca.key" -CAcreateserial -days 2 -extfile "$d/ext" -out "$d/peer.crt" 2>/dev/null
  rm -f "$d/peer.csr" "$d/ext"
done
