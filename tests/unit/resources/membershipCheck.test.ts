/**
 * @jest-environment ./tests/live/liveEnvironment.js
 *
 * (Node's environment, with the real process's uncaught-error listeners reachable: the refused plan's rejections are
 * unhandled by design.)
 *
 * A membership change the plan refuses (here a downgrade the survey reveals) must reach the engine as a failing
 * step, not only as the program's error: the Automation API's inline host signals the end of the program before it
 * looks at its errors, and the engine then deletes what was not registered, every member's leave included
 * (components/resources/survey.ts). Under the mocks: the check is registered with a script that fails naming the
 * problem, and no member resource is.
 */
import { spawnSync } from "child_process";
import { EtcdCluster } from "../../../components/resources/etcdCluster";
import { surveyEtcdLines } from "../etcdctlJson";
import { labHosts, labMembers } from "../fixtures";
import { created, installMocks, mockSurvey, registrationsSettled } from "../mockRuntime";
import { holdRejections } from "../../live/pulumi/heldRejections";

installMocks();
// A bound, not an expectation: the component and the mocks load in the first test, on a machine that may be busy.
jest.setTimeout(60_000);

/** What the survey prints for etcd-n1..n3 on h1..h3, all running etcd 3.5.16. */
const on35 = [
    ...[0, 1, 2].map((h) => `host ${h} ok`),
    ...[1, 2, 3].map((i) => `ct ${i - 1} etcd-n${i} etcd-n${i} running`),
    "asked etcd-n1",
    ...surveyEtcdLines(["a1", "a2", "a3"], 1),
].join("\n");

async function deploy(name: string, image: string) {
    const before = created.length;
    // The member inputs' rejections are the program's error, not this test's: held from jest and returned.
    const held = holdRejections();
    let rejections: unknown[];
    mockSurvey.output = on35;
    try {
        new EtcdCluster(name, { image, hosts: labHosts, members: labMembers });
        // The check's input comes from the survey's invoke: wait for the registrations it lets through.
        for (let i = 0; i < 20; i++) {
            await registrationsSettled();
            await new Promise((r) => setTimeout(r, 10));
        }
    } finally {
        mockSurvey.output = "";
        rejections = held.release();
    }
    return { resources: created.slice(before), rejections };
}

it("registers the check with a failing script naming the problem, and no member resource, when the plan refuses", async () => {
    const r = await deploy("down", "local/etcd:v3.4.23");
    const check = r.resources.find((x) => x.name === "down-membership-check")!;
    const ran = spawnSync("/bin/sh", ["-c", check.inputs.create], { encoding: "utf8" });
    expect(ran.status).toBe(1);
    expect(ran.stderr).toMatch(/^image: "local\/etcd:v3\.4\.23" \(etcd 3\.4\.23\) would downgrade members that run etcd 3\.5\.16/);
    // A trigger of this run's own: a second refused run is a step again, whatever the first left in the state.
    expect(check.inputs.triggers).toEqual([expect.stringMatching(/^refused at \d{4}-\d\d-\d\dT/)]);
    expect(r.resources.filter((x) => x.type === "docker:index/container:Container" || /-(join|promote|gate|leave|data-removal)$/.test(x.name))).toEqual([]);
    expect(String(r.rejections[0])).toMatch(/would downgrade members/);
});

it("registers the check with a script that passes when the change is allowed", async () => {
    const r = await deploy("same", "local/etcd:v3.5.16");
    expect(r.resources.find((x) => x.name === "same-membership-check")!.inputs).toEqual({ create: "true", triggers: [] });
    expect(r.resources.filter((x) => x.type === "docker:index/container:Container")).toHaveLength(3);
    expect(r.rejections).toEqual([]);
});
