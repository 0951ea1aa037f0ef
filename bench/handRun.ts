/**
 * The manual way, as a plain shell script of `docker run`s a user would type, generated from the
 * component's own plan so that image, network mode, ports, ETCD_* settings, volume, restart policy, labels and
 * stop timeout are exactly the component's. What a `docker run` cannot express: the component's exec-form
 * HEALTHCHECK (the CLI's --health-cmd is always CMD-SHELL, and the image has no shell), so the hand-run
 * containers have none. The script ends by polling `etcdctl endpoint health --cluster`, as an operator does by hand.
 */
import { ClusterPlan } from "../components/plan/cluster";
import { foundingLines, memberEnv, volumeMountPath } from "../components/plan/member";
import { shQuote } from "../components/scripts/shell";

export function handRunScript(plan: ClusterPlan, image: string, token: string, restart: string, poll = true): string {
    const lines = [
        "#!/bin/sh",
        `# etcd cluster of ${plan.members.length} members started by hand, one docker run per member.`,
        "set -e",
    ];
    for (const m of plan.members) {
        const host = plan.hosts.find((h) => h.name === m.hostName)!.host.url;
        const args = [
            "docker", "-H", host, "run", "-d", "--name", m.containerName,
            "--network", "host",
            "-v", `${m.volumeName}:${volumeMountPath}`,
            "--restart", restart,
            "--stop-timeout", "30",
            ...Object.entries(m.labels).flatMap(([k, v]) => ["--label", `${k}=${v}`]),
            ...memberEnv(m, foundingLines(m), token).flatMap((e) => ["-e", e]),
            image,
        ];
        lines.push(args.map((a) => (/^[A-Za-z0-9_./:=,@-]+$/.test(a) ? a : shQuote(a))).join(" ") + " >/dev/null");
    }
    lines.push(`echo "members started: $(date +%s.%N)"`);
    if (!poll) return lines.join("\n") + "\n";
    lines.push(
        `until etcdctl --endpoints=${plan.clientEndpoints.join(",")} --dial-timeout=1s --command-timeout=2s endpoint health --cluster >/dev/null 2>&1; do sleep 0.1; done`,
        `echo "healthy: $(date +%s.%N)"`,
    );
    return lines.join("\n") + "\n";
}
