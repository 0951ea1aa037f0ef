/**
 * The script that turns authentication on (https://etcd.io/docs/v3.6/op-guide/authentication/rbac/): creates
 * the root user, grants it the root role and enables auth. The password comes from {@link rootPasswordEnv}
 * and reaches etcdctl on stdin or, by name only, through `docker exec -e ETCDCTL_USER`.
 */
import type { ClusterAccess } from "./access";
import { etcdctlFunction, memberAccess, retryLoop, rootLogin, rootPasswordEnv, shQuote } from "./shell";

/** The cluster's access without `auth`: this script logs in as root whenever authentication is on. */
export interface AuthEnableSpec extends Omit<ClusterAccess, "auth"> {
    /** How long to wait for a member that answers, in seconds. */
    timeoutSeconds: number;
    /**
     * The common name of the component's client certificate, when clients log in with it (TLS with client
     * certificate auth): a user of that name, with no role, is created. With auth on, etcd takes a certificate's CN as
     * the user of a request without a token; for a name that is no user, every such read or write (the Docker
     * healthcheck's `endpoint health`, every 10 s on every member) makes the member log "cannot find a user for
     * permission check" (etcd server/auth/store.go, isOpPermitted). With the user it is a plain "permission denied",
     * which is what it was meant to be: the certificate grants nothing by itself.
     */
    certUser?: string;
}

/** One attempt: through the first member that answers, create root if missing, grant the role, enable auth. */
const attempt = `while read -r h ctr url member; do
  # Whether the member answers at all: endpoint status needs no quorum. With auth on, etcd 3.6.17 answers it only to a
  # user ("user name is empty" without one): that too is an answer. user list below needs quorum and is retried.
  if ! st=$(e "$h" "$ctr" "$url" endpoint status 2>&1); then
    case $st in *"user name is empty"*|*"invalid auth token"*) ;; *) err="$member: endpoint status failed"; continue ;; esac
  fi
  if out=$(e "$h" "$ctr" "$url" user list 2>&1); then
    changes=""
    if ! printf '%s\\n' "$out" | grep -qx root; then
      if ! fail=$(printf '%s\\n' "$${rootPasswordEnv}" | ei "$h" "$ctr" "$url" user add root --interactive=false 2>&1 >/dev/null); then
        printf 'etcd cluster %s: could not create user root through %s: %s\\n' "$cluster" "$member" "$fail" >&2; exit 1
      fi
      changes="created user root;"
    fi
    fail=$(e "$h" "$ctr" "$url" user grant-role root root 2>&1 >/dev/null) || { printf 'etcd cluster %s: could not grant role root to user root: %s\\n' "$cluster" "$fail" >&2; exit 1; }
    certuser e "$h" "$ctr" "$url" || exit 1
    fail=$(e "$h" "$ctr" "$url" auth enable 2>&1 >/dev/null) || { printf 'etcd cluster %s: could not enable authentication: %s\\n' "$cluster" "$fail" >&2; exit 1; }
    printf 'etcd cluster %s: %s granted role root to root; authentication enabled (through %s)\\n' "$cluster" "$changes" "$member"
    exit 0
  fi
  case $out in
    *"user name not found"*|*"user name is empty"*|*"permission denied"*|*"invalid auth token"*)
      if fail=$(ea "$h" "$ctr" "$url" user get root 2>&1); then
        changes=""
        certuser ea "$h" "$ctr" "$url" || exit 1
        printf 'etcd cluster %s: authentication already enabled and root'"'"'s password works; %s (checked through %s)\\n' "$cluster" "\${changes:-nothing changed}" "$member"
        exit 0
      fi
      printf 'etcd cluster %s: authentication is enabled, but root'"'"'s password is refused (%s). Was it changed outside this deployment? Give the current one as auth.rootPassword.\\n' "$cluster" "$fail" >&2
      exit 1 ;;
  esac
  err="$member: $out"
done <"$tmp/probes"`;

/**
 * `certuser <e|ea> <h> <ctr> <url>`: creates the client certificate's user when missing, without roles, through the
 * given etcdctl function (ea: as root); adds to `$changes`. etcd 3.4 has no `--no-password`: there the user gets a
 * random password nobody knows (the certificate is how it logs in).
 */
const certUserFunction = `certuser() {
  [ -n "$certuser" ] || return 0
  f=$1; shift
  if ! users=$($f "$@" user list 2>&1); then printf 'etcd cluster %s: could not list users: %s\\n' "$cluster" "$users" >&2; return 1; fi
  printf '%s\\n' "$users" | grep -qx "$certuser" && return 0
  if $f "$@" user add "$certuser" --no-password >/dev/null 2>&1 ||
     { head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \\n'; echo; } | \${f}i "$@" user add "$certuser" --interactive=false >/dev/null 2>&1; then
    changes="\${changes:+$changes }created user $certuser (no role: the client certificate's name);"; return 0
  fi
  printf 'etcd cluster %s: could not create user %s for the client certificate\\n' "$cluster" "$certuser" >&2; return 1
}`;

/**
 * Creates the root user (password from `$ETCD_ROOT_PASSWORD`, given to etcdctl on stdin), grants it the root
 * role and enables authentication, through `docker exec` on the first member that answers. Idempotent: when
 * authentication is already on, it only checks that root's password works and changes nothing. stdout says
 * what it did. The password never appears in an argv: `docker exec -e ETCDCTL_USER` names the variable only.
 */
export function authEnableScript(spec: AuthEnableSpec): string {
    return `set -u
cluster=${shQuote(spec.clusterName)}
${memberAccess(spec.hosts, spec.probes)}
${rootLogin("the auth command needs root's password in its environment")}
# e: etcdctl without credentials; ea: as root (value of ETCDCTL_USER from this environment); ei: stdin attached.
${etcdctlFunction("e", [], spec.etcdctlFlags)}
${etcdctlFunction("ea", ["-e ETCDCTL_USER"], spec.etcdctlFlags)}
${etcdctlFunction("ei", ["-i"], spec.etcdctlFlags)}
${etcdctlFunction("eai", ["-i", "-e ETCDCTL_USER"], spec.etcdctlFlags)}
certuser=${shQuote(spec.certUser ?? "")}
${certUserFunction}
${retryLoop({ seconds: spec.timeoutSeconds }, attempt, 2)}
printf 'etcd cluster %s: no member answered within ${spec.timeoutSeconds}s, so authentication was not enabled. Last: %s\\n' "$cluster" "$err" >&2
exit 1
`;
}
