/**
 * The cluster as it runs, read while the program runs (the survey), and the deployment's membership plan made from it,
 * with the membership check that stops the engine when the plan is refused. Decided by pure code in plan/.
 */
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import type { ClusterPlan } from "../plan/cluster";
import { MembershipPlan, planMembership } from "../plan/membership";
import { parseSurvey } from "../plan/survey";
import { EtcdClusterArgsError } from "../resolve/argChecks";
import type { ResolvedCluster } from "../resolve/model";
import type { ClusterAccess } from "../scripts/access";
import { membershipCheckScript, surveyScript } from "../scripts/survey";
import { commandEnvironment } from "./commands";

/**
 * Surveys the running cluster (`command.local.run`, which the engine runs in preview and update alike) and
 * plans the membership change. Problems (removing too many members, moving one, skipping an etcd minor
 * version …) reject the output with {@link EtcdClusterArgsError}: every member resource takes an input from
 * it, so none of them is registered, and the engine changes no member.
 *
 * A program whose resources were not registered must also never reach the point where the engine deletes what
 * the program did not register: a member's leave deletes it from the cluster. The CLI's Node.js host never
 * signals the end of a program that had an uncaught error, but the Automation API's inline host does
 * (`@pulumi/pulumi/automation/server` awaits the program, then calls `disconnect(true)`, which sends
 * `SignalAndWaitForShutdown`, before it looks at the errors it caught), and the engine takes that signal as "every
 * resource is registered" and deletes the rest (pulumi/pulumi#20143 added the signal to inline programs). Seen live:
 * a refused downgrade ran every member's leave. So the problems also reach a resource, the membership check,
 * whose command fails when there are any: a failed step makes the engine stop the deployment without deletes,
 * and the program's registrations wait for it before the host can signal anything.
 */
export function planLiveMembership(
    name: string, access: ClusterAccess, cluster: ResolvedCluster, plan: ClusterPlan, rootPassword: pulumi.Output<string> | undefined, parent: pulumi.Resource,
): pulumi.Output<MembershipPlan> {
    const survey = command.local.runOutput({
        command: surveyScript({
            ...access,
            volumes: plan.members.map((m) => ({ hostIndex: plan.hosts.findIndex((h) => h.name === m.hostName), volumeName: m.volumeName })),
        }),
        environment: commandEnvironment(plan, rootPassword),
    }, { parent });
    // What it prints is no secret (member list, status), though its environment may hold root's password.
    const planned = pulumi.unsecret(survey.stdout).apply((out) => planMembership(cluster, plan, parseSurvey(out)));
    // A refused run also gets a trigger of its own, so that its check is a step that runs the failing script even when an
    // earlier refused run left the same script in the state.
    new command.local.Command(`${name}-membership-check`, {
        create: planned.apply((m) => membershipCheckScript(m.problems)),
        triggers: planned.apply((m) => (m.problems.length > 0 ? [`refused at ${new Date().toISOString()}`] : [])),
    }, { parent });
    return planned.apply((membership) => {
        if (membership.problems.length > 0) {
            throw new EtcdClusterArgsError(membership.problems, `membership change of EtcdCluster ${JSON.stringify(name)} (nothing was changed)`);
        }
        membership.warnings.forEach((w) => pulumi.log.warn(w, parent));
        return membership;
    });
}
