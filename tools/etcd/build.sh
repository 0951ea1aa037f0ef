#!/usr/bin/env bash
# Build etcd, etcdctl and etcdutl from etcd's own Go modules, one pinned wrapper module per etcd line
# (tools/etcd/<line>/go.mod + go.sum: the three modules at one release, with that release's dependency graph).
#
#   tools/etcd/build.sh [LINE...]      LINE = 3.5 | 3.6 | 3.7 (default: every tools/etcd/<line>/go.mod)
#   tools/etcd/build.sh --versions     only print "<line> <version>" of what the modules pin; builds nothing
#   ETCD_TOOLCHAIN_DIR                 output root (default: <repo>/.toolchain/etcd); binaries go to <root>/<version>/
#
# stdout: one line per line built or reused, "<line> <version> <dir>", for callers (tests/live/lab); progress on stderr.
# Binaries that exist, report the pinned version and were built with CGO_ENABLED=0 are reused, not rebuilt.
# A module the Go module proxy does not serve fails the build with one line naming that module and version:
# "direct" (fetching from the VCS instead) is dropped from GOPROXY, so there is no silent fallback to a different source.
#
# Built the way etcd's release script builds (scripts/build_lib.sh in etcd-io/etcd): CGO_ENABLED=0 (static),
# -trimpath, -installsuffix=cgo. The version etcd prints comes from the module itself (api/v3/version);
# the release script sets version.GitSHA to the commit, which a module download does not carry, so it says "module".
set -euo pipefail
export GOTOOLCHAIN=local                     # never download another Go: the pinned modules accept go >= 1.26.0
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=${ETCD_TOOLCHAIN_DIR:-$ROOT/.toolchain/etcd}

say() { echo "tools/etcd/build.sh: $*" >&2; }
die() { say "$*"; exit 1; }

GO=
use_go() { # find go and fix the environment it builds in; only a build needs it (--versions does not)
  [[ -z $GO ]] || return 0
  GO=$(command -v go || true)
  if [[ -z $GO && -x /usr/local/go/bin/go ]]; then GO=/usr/local/go/bin/go; fi   # root in CI: Go is installed but not on PATH
  [[ -n $GO ]] || die "no go on PATH or at /usr/local/go/bin/go (Go >= 1.26 is needed)"
  # The proxy list without "direct"/"off" entries: a module the proxy refuses must fail here, not come from GitHub.
  local proxy
  proxy=$(GOPROXY=${GOPROXY:-} "$GO" env GOPROXY | tr ',|' '\n\n' | grep -vxE 'direct|off|' | paste -sd, || true)
  [[ -n $proxy ]] || die "GOPROXY ($("$GO" env GOPROXY)) names no module proxy; set GOPROXY=https://proxy.golang.org"
  export GOPROXY=$proxy GOFLAGS="-mod=readonly -buildvcs=false" CGO_ENABLED=0
}

# the server's main package is the module root; so are etcdctl's and etcdutl's
declare -A PKG=([etcd]=go.etcd.io/etcd/server/v3 [etcdctl]=go.etcd.io/etcd/etcdctl/v3 [etcdutl]=go.etcd.io/etcd/etcdutl/v3)
BINS=(etcd etcdctl etcdutl)

pinned_version() { # line dir -> the server version go.mod pins (all three are pinned to the same one)
  local v
  v=$(awk -v m="${PKG[etcd]}" '$1 == m && $2 ~ /^v/ { print substr($2, 2) }' "$2/go.mod" | head -n1)
  [[ $v == "$1".* ]] || die "$2/go.mod pins ${PKG[etcd]} at '${v:-nothing}', not a $1.x release"
  local b
  for b in etcdctl etcdutl; do
    grep -qE "^[[:space:]]*${PKG[$b]//./\\.} v$v( |\$)" "$2/go.mod" || die "$2/go.mod does not pin ${PKG[$b]} at v$v like the server"
  done
  echo "$v"
}

reports() { # bin version: the binary runs, says that version, and is a static (CGO_ENABLED=0) build
  local bin=$1 v=$2 out
  [[ -x $bin ]] || return 1
  use_go
  case ${bin##*/} in
    etcd) out=$("$bin" --version 2>/dev/null) || return 1; grep -qx "etcd Version: $v" <<<"$out" || return 1 ;;
    *) out=$("$bin" version 2>/dev/null) || return 1; grep -qx "${bin##*/} version: $v" <<<"$out" || return 1 ;;
  esac
  "$GO" version -m "$bin" 2>/dev/null | grep -qE '^\s+build\s+CGO_ENABLED=0$'
}

built() { local b; for b in "${BINS[@]}"; do reports "$1/$b" "$2" || return 1; done; }

# One line for a download failure: `go` names the module@version it could not get on the line that says why.
refused() { # log
  local line
  line=$(grep -m1 -E '^(go: )?[^ ]+@v[^ :]+: ' "$1" || true)
  if [[ -n $line ]]; then
    line=${line#go: }
    local what=${line%%: *} why=${line#*: }
    why=$(sed -E 's/^(reading|verifying) [^ ]+: //' <<<"$why")
    die "cannot get ${what%@*} ${what##*@} from $GOPROXY: $why"
  fi
  die "go mod download failed: $(grep -m1 . "$1" || echo 'no output')"
}

build_line() { # line
  local line=$1 dir=$HERE/$1 v dest tmp log t0
  [[ -f $dir/go.mod && -f $dir/go.sum ]] || die "no pinned module for etcd $line ($dir/go.mod, go.sum)"
  v=$(pinned_version "$line" "$dir")
  dest=$OUT/$v
  if built "$dest" "$v"; then
    say "etcd $v: reusing $dest"
    echo "$line $v $dest"; return 0
  fi
  use_go
  t0=$(date +%s)
  mkdir -p "$OUT"
  tmp=$(mktemp -d "$OUT/.build-$v.XXXXXX")
  TMP=$tmp                                    # removed on exit unless moved into place
  log=$tmp/go.log
  say "etcd $v: downloading modules"
  (cd "$dir" && "$GO" mod download) >"$log" 2>&1 || refused "$log"
  local b
  for b in "${BINS[@]}"; do
    say "etcd $v: building $b (${PKG[$b]}@v$v)"
    (cd "$dir" && "$GO" build -trimpath -installsuffix=cgo \
      -ldflags="-X=go.etcd.io/etcd/api/v3/version.GitSHA=module" -o "$tmp/$b" "${PKG[$b]}") >"$log" 2>&1 \
      || { grep -qE '@v[^ :]+: (reading|verifying|.*40[34])' "$log" && refused "$log"; tail -n 20 "$log" >&2; die "go build of ${PKG[$b]}@v$v failed"; }
  done
  built "$tmp" "$v" || die "the binaries built from ${PKG[etcd]}@v$v do not report version $v as static builds"
  rm -f "$log"
  rm -rf "$dest" && mv "$tmp" "$dest" && TMP=
  say "etcd $v: built into $dest in $(($(date +%s) - t0)) s"
  echo "$line $v $dest"
}

TMP=
trap '[[ -z $TMP ]] || rm -rf "$TMP"' EXIT
only_versions=0
if [[ ${1:-} == --versions ]]; then only_versions=1; shift; fi
lines=("$@")
if ((${#lines[@]} == 0)); then
  for d in "$HERE"/*/go.mod; do lines+=("$(basename "$(dirname "$d")")"); done
fi
for l in "${lines[@]}"; do
  if ((only_versions)); then echo "$l $(pinned_version "$l" "$HERE/$l")"; else build_line "$l"; fi
done
