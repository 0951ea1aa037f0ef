# shellcheck shell=bash
# The lab's etcd images (sourced by setup.sh after lib.sh; not executable on its own). All are shaped like the
# official image (scratch + /usr/local/bin/etcd, etcdctl, etcdutl; no shell; CMD ["/usr/local/bin/etcd"];
# WORKDIR /var/lib/etcd), tagged local/etcd:v<version> and labelled etcd-lab=1, etcd-lab.series=<key of lab.json's images>:
#   3.4, 3.5       Debian's etcd packages (bookworm 3.4.23, trixie 3.5.16): dynamically linked, libc + ld.so copied in
#   3.5-upgrade    etcd 3.5 from etcd's Go modules, a patch etcd's 3.5 → 3.6 guide accepts as the upgrade source
#   3.6, 3.7       etcd 3.6 and 3.7 from etcd's Go modules (the component's default line and the newest)
# The module builds are static binaries from tools/etcd/build.sh (pinned wrapper modules, built into .toolchain/etcd).

# etcd series -> expected upstream version and the Debian suite whose .debs provide it
declare -A IMAGE_EXPECT=([3.4]=3.4.23 [3.5]=3.5.16)
declare -A IMAGE_SUITE=([3.4]=bookworm [3.5]=trixie)
# lab.json image key -> tools/etcd/<line> module
declare -A MODULE_LINE=([3.5-upgrade]=3.5 [3.6]=3.6 [3.7]=3.7)
MODULE_KEYS=(3.5-upgrade 3.6 3.7)
# key -> tag of the image in the main engine, filled by build_deb_images and build_module_images
declare -A IMAGE_TAG=()
IMAGE_KEYS=(3.4 3.5 "${MODULE_KEYS[@]}")
LAB_ETCD_BUILD="$HERE/../../../tools/etcd/build.sh"

existing_image() { # series -> tag of a lab image of that series, if any
  docker images --filter "label=$LAB_IMAGE_LABEL.series=$1" --format '{{.Repository}}:{{.Tag}}' | grep -v '<none>' | head -n1
}

verify_image() { # tag version
  local out
  out=$(docker run --rm --network none "$1" /usr/local/bin/etcd --version 2>&1) || { echo "$out" >&2; return 1; }
  grep -q "^etcd Version: $2\$" <<<"$out" || { echo "$out" >&2; return 1; }
}

# tar of a root dir on stdin -> tag, with the official image's layout and the lab's labels
import_image() { # root tag series source-label
  tar --owner=0 --group=0 -C "$1" -c . | docker import \
    -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    -c 'WORKDIR /var/lib/etcd' -c 'EXPOSE 2379 2380' -c 'CMD ["/usr/local/bin/etcd"]' \
    -c "LABEL $LAB_IMAGE_LABEL=1" -c "LABEL $LAB_IMAGE_LABEL.series=$3" \
    -c "LABEL $4" - "$2" >/dev/null
}

# ---------------------------------------------------------------- Debian's packages (3.4, 3.5)
fetch_debs() { # suite dir: download etcd-server + etcd-client .debs of that suite into dir
  local suite=$1 dir=$2 opts=(-o APT::Sandbox::User=root)
  if [[ $suite != bookworm ]]; then
    # Another suite's package lists, without touching the system's apt sources, lists or caches.
    local a="$LAB_DIR/apt-$suite"
    mkdir -p "$a/lists/partial" "$a/cache/archives/partial"
    echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $suite main" >"$a/sources.list"
    opts+=(-o "Dir::Etc::sourcelist=$a/sources.list" -o Dir::Etc::sourceparts=- -o "Dir::State::Lists=$a/lists"
           -o "Dir::Cache=$a/cache")
    apt-get "${opts[@]}" update -qq >"$LAB_LOG_DIR/apt-$suite.log" 2>&1 \
      || { tail -n 20 "$LAB_LOG_DIR/apt-$suite.log" >&2; lab_die "apt-get update for $suite failed"; }
  fi
  (cd "$dir" && apt-get "${opts[@]}" download etcd-server etcd-client >>"$LAB_LOG_DIR/apt-$suite.log" 2>&1) \
    || { tail -n 20 "$LAB_LOG_DIR/apt-$suite.log" >&2; lab_die "apt-get download etcd-server etcd-client ($suite) failed"; }
}

build_deb_image() { # series
  local series=$1 expect=${IMAGE_EXPECT[$1]} suite=${IMAGE_SUITE[$1]} tag
  if tag=$(existing_image "$series") && [[ -n $tag ]]; then
    if verify_image "$tag" "${tag#local/etcd:v}"; then
      lab_log "image $tag (etcd $series) already built"
      IMAGE_TAG[$series]=$tag; return 0
    fi
    lab_warn "image $tag does not run: rebuilding"
  fi
  local b="$LAB_DIR/build/etcd-$series"
  rm -rf "$b" && mkdir -p "$b/debs" "$b/x" "$b/root"
  lab_log "fetching etcd-server/etcd-client .debs from $suite"
  fetch_debs "$suite" "$b/debs"
  local deb debver version
  deb=$(ls "$b"/debs/etcd-server_*.deb)
  debver=$(dpkg-deb -f "$deb" Version)
  version=$(sed -E 's/^[0-9]+://; s/[-+~].*$//' <<<"$debver")
  [[ $version == "$series".* ]] || lab_die "$suite's etcd-server is $debver, not etcd $series.x"
  [[ $version == "$expect" ]] || lab_warn "$suite's etcd-server is $debver, expected $expect: tagging local/etcd:v$version"
  for deb in "$b"/debs/*.deb; do dpkg -x "$deb" "$b/x"; done
  local r="$b/root" bin lib
  mkdir -p "$r/usr/local/bin" "$r/var/lib/etcd" "$r/tmp" && chmod 1777 "$r/tmp"
  for bin in etcd etcdctl etcdutl; do
    [[ -x $b/x/usr/bin/$bin ]] && cp -p "$b/x/usr/bin/$bin" "$r/usr/local/bin/"
  done
  [[ -x $r/usr/local/bin/etcd && -x $r/usr/local/bin/etcdctl ]] || lab_die "etcd/etcdctl missing from $suite's .debs"
  # the binaries are dynamically linked Go programs: copy exactly the libraries they ask for (libc + ld.so)
  for lib in $(ldd "$r"/usr/local/bin/* | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// && $2 ~ /^\(0x/ { print $1 }' | sort -u); do
    mkdir -p "$r$(dirname "$lib")" && cp -L "$lib" "$r$lib"
  done
  tag="local/etcd:v$version"
  lab_log "importing $tag ($(cd "$r/usr/local/bin" && lab_words "$(printf "%s\n" *)") from $suite etcd-server $debver)"
  import_image "$r" "$tag" "$series" "$LAB_IMAGE_LABEL.deb=$suite:etcd-server=$debver"
  verify_image "$tag" "$version" || lab_die "$tag does not run 'etcd --version' as etcd $version"
  lab_log "built $tag: $(docker run --rm --network none "$tag" /usr/local/bin/etcd --version | head -n1)"
  IMAGE_TAG[$series]=$tag
  rm -rf "$b/x" "$b/root"
}

# ---------------------------------------------------------------- etcd's Go modules (3.5-upgrade, 3.6, 3.7)
# An image is reused when one of its key exists for the version tools/etcd pins and runs; else the binaries are
# built (or reused) by tools/etcd/build.sh and imported. The build needs Go (>= 1.26) and the Go module proxy.
build_module_images() {
  local pinned=() key line v dir want=() tag
  [[ -x $LAB_ETCD_BUILD ]] || lab_die "$LAB_ETCD_BUILD is missing"
  local listed
  listed=$("$LAB_ETCD_BUILD" --versions) || lab_die "tools/etcd/build.sh --versions failed"
  mapfile -t pinned <<<"$listed"
  declare -A version_of=()
  for line in "${pinned[@]}"; do version_of[${line%% *}]=${line#* }; done
  for key in "${MODULE_KEYS[@]}"; do
    v=${version_of[${MODULE_LINE[$key]}]:-}
    [[ -n $v ]] || lab_die "tools/etcd pins no etcd ${MODULE_LINE[$key]} module (for lab image $key)"
    tag="local/etcd:v$v"
    if [[ $(existing_image "$key") == "$tag" ]] && verify_image "$tag" "$v" 2>/dev/null; then
      lab_log "image $tag (etcd $key, from modules) already built"
      IMAGE_TAG[$key]=$tag
    else
      want+=("$key")
    fi
  done
  ((${#want[@]})) || return 0
  local lines=() out
  for key in "${want[@]}"; do lines+=("${MODULE_LINE[$key]}"); done
  lab_log "building etcd ${lines[*]} from etcd's Go modules (tools/etcd/build.sh; minutes with empty Go caches)"
  out=$("$LAB_ETCD_BUILD" "${lines[@]}" 2> >(tee "$LAB_LOG_DIR/etcd-build.log" >&2)) \
    || lab_die "tools/etcd/build.sh failed (log: $LAB_LOG_DIR/etcd-build.log)"
  for key in "${want[@]}"; do
    line= v= dir=
    read -r line v dir < <(awk -v l="${MODULE_LINE[$key]}" '$1 == l' <<<"$out") || true
    [[ -n ${dir:-} && -x $dir/etcd ]] || lab_die "tools/etcd/build.sh did not report a build of etcd ${MODULE_LINE[$key]}"
    module_image "$key" "$v" "$dir"
  done
}

module_image() { # key version dir
  local key=$1 v=$2 dir=$3 b="$LAB_DIR/build/etcd-$1" tag="local/etcd:v$2" old
  # an image of this key for another version is the lab's old pin: drop its key label by removing it
  old=$(existing_image "$key") || true      # none yet: grep finds nothing
  if [[ -n $old && $old != "$tag" ]]; then lab_log "dropping $old (etcd $key is now $v)"; docker rmi "$old" >/dev/null || true; fi
  rm -rf "$b" && mkdir -p "$b/usr/local/bin" "$b/var/lib/etcd" "$b/tmp" && chmod 1777 "$b/tmp"
  cp -p "$dir/etcd" "$dir/etcdctl" "$dir/etcdutl" "$b/usr/local/bin/"
  lab_log "importing $tag (etcd etcdctl etcdutl, static, from go.etcd.io/etcd/server/v3@v$v)"
  import_image "$b" "$tag" "$key" "$LAB_IMAGE_LABEL.module=go.etcd.io/etcd/server/v3@v$v"
  verify_image "$tag" "$v" || lab_die "$tag does not run 'etcd --version' as etcd $v"
  rm -rf "$b"
  IMAGE_TAG[$key]=$tag
}

build_deb_images() { local s; for s in 3.4 3.5; do build_deb_image "$s"; done; }

# ---------------------------------------------------------------- on the hosts
load_images() {
  local i k tag missing
  for ((i = 1; i <= LAB_HOSTS; i++)); do
    missing=()
    for k in "${IMAGE_KEYS[@]}"; do
      tag=${IMAGE_TAG[$k]}
      lab_host_docker "$i" image inspect "$tag" >/dev/null 2>&1 || missing+=("$tag")
    done
    if ((${#missing[@]})); then
      lab_log "h$i: loading ${missing[*]}"
      docker save "${missing[@]}" | lab_host_docker "$i" load -q >/dev/null
    else
      lab_log "h$i: images present"
    fi
  done
}

# the images object of lab.json: {"3.4": "local/etcd:v3.4.23", ...}
images_json() {
  local k
  for k in "${IMAGE_KEYS[@]}"; do jq -n --arg k "$k" --arg v "${IMAGE_TAG[$k]}" '{($k): $v}'; done | jq -s add
}
