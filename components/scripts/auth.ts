/**
 * The script that turns authentication on (https://etcd.io/docs/v3.6/op-guide/authentication/rbac/): creates
 * the root user, grants it the root role and enables auth. The password comes from {@link rootPasswordEnv}
 * and reaches etcdctl on stdin or, by name only, through `docker exec -e ETCDCTL_USER`.
 */
import { etcdctlFunction, memberAccess, retryLoop, rootLogin, rootPasswordEnv, ScriptHost, ScriptProbe, shQuote } from "./shell";

export interface AuthEnableSpec {
    clusterName: string;
    hosts: ScriptHost[];
    probes: ScriptProbe[];
    etcdctlFlags: string[];
    /** How long to wait for a member that answers, in seconds. */
    timeoutSeconds: number;
}

/** One attempt: through the first member that answers, create root if missing, grant the role, enable auth. */
const attempt = `while read -r h ctr url member; do
  # endpoint status needs no credentials (auth on or off); user list below needs quorum and is retried.
  e "$h" "$ctr" "$url" endpoint status >/dev/null 2>&1 || { err="$member: endpoint status failed"; continue; }
  if out=$(e "$h" "$ctr" "$url" user list 2>&1); then
    changes=""
    if ! printf '%s\\n' "$out" | grep -qx root; then
      if ! fail=$(printf '%s\\n' "$${rootPasswordEnv}" | ei "$h" "$ctr" "$url" user add root --interactive=false 2>&1 >/dev/null); then
        printf 'etcd cluster %s: could not create user root through %s: %s\\n' "$cluster" "$member" "$fail" >&2; exit 1
      fi
      changes="created user root;"
    fi
    fail=$(e "$h" "$ctr" "$url" user grant-role root root 2>&1 >/dev/null) || { printf 'etcd cluster %s: could not grant role root to user root: %s\\n' "$cluster" "$fail" >&2; exit 1; }
    fail=$(e "$h" "$ctr" "$url" auth enable 2>&1 >/dev/null) || { printf 'etcd cluster %s: could not enable authentication: %s\\n' "$cluster" "$fail" >&2; exit 1; }
    printf 'etcd cluster %s: %s granted role root to root; authentication enabled (through %s)\\n' "$cluster" "$changes" "$member"
    exit 0
  fi
  case $out in
    *"user name not found"*|*"user name is empty"*|*"permission denied"*|*"invalid auth token"*)
      if fail=$(ea "$h" "$ctr" "$url" user get root 2>&1); then
        printf 'etcd cluster %s: authentication already enabled and root'"'"'s password works; nothing changed (checked through %s)\\n' "$cluster" "$member"
        exit 0
      fi
      printf 'etcd cluster %s: authentication is enabled, but root'"'"'s password is refused (%s). Was it changed outside this deployment? Give the current one as auth.rootPassword.\\n' "$cluster" "$fail" >&2
      exit 1 ;;
  esac
  err="$member: $out"
done <"$tmp/probes"`;

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
${retryLoop({ seconds: spec.timeoutSeconds }, attempt, 2)}
printf 'etcd cluster %s: no member answered within ${spec.timeoutSeconds}s, so authentication was not enabled. Last: %s\\n' "$cluster" "$err" >&2
exit 1
`;
}
