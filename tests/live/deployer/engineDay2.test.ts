/**
 * The engine behaviours the component's day-2 features rely on, as whole deployments through the stand-in
 * engine with local commands standing in for containers and gates (no Docker), each checked against
 * pulumi/pulumi `pkg/resource/deploy/step_generator.go` and pulumi-command's commandController.go.
 */
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { DeploymentError, LiveDeployer } from "./liveDeployer";
import { journalKit, ops } from "./journalKit";

const kit = journalKit();
const { entries, logged } = kit;

/** A command that journals "create NAME" / "delete NAME" and is replaced when `trigger` changes. */
const step = (name: string, trigger: pulumi.Input<string>, opts: pulumi.CustomResourceOptions = {}, create?: string) =>
  new command.local.Command(name, {
    create: create ?? `echo "create ${name}" >> ${kit.journal}; echo ${name}`,
    delete: `echo "delete ${name}" >> ${kit.journal}`,
    triggers: [trigger],
  }, opts);

/**
 * A → gateA → B → gateB → C: A, B and C stand for containers (delete-before-replace, replaced when their
 * version changes); each gate is replaced with the resource before it (`triggers: [X.id]`, a property
 * dependency) and the next resource waits for it with a plain `dependsOn`.
 */
const chain = (v: { a: string; b: string; c: string }, gateACreate?: string) => async () => {
  const a = step("A", v.a, { deleteBeforeReplace: true });
  const gateA = step("gateA", a.id, { dependsOn: [a] }, gateACreate);
  const b = step("B", v.b, { deleteBeforeReplace: true, dependsOn: [gateA] });
  const gateB = step("gateB", b.id, { dependsOn: [b] });
  step("C", v.c, { deleteBeforeReplace: true, dependsOn: [gateB] });
};
const ids = (d: LiveDeployer) => Object.fromEntries(d.state("s").map((r) => [r.name, r.id]));

describe("replacement chains through gates", () => {
  it("only A changes: its gate goes with it (property dependency), B and C stay (a plain dependsOn never cascades, pulumi#838)", async () => {
    const d = new LiveDeployer();
    await d.deploy("s", chain({ a: "1", b: "1", c: "1" }));
    const before = ids(d);
    kit.reset();
    await d.deploy("s", chain({ a: "2", b: "1", c: "1" }));
    expect(entries()).toEqual(["delete gateA", "delete A", "create A", "create gateA"]);
    expect(ops(d, true)).toEqual(["delete-replace A", "delete-replace gateA", "same B", "same gateB", "same C"]);
    const after = ids(d);
    expect([after.B, after.gateB, after.C]).toEqual([before.B, before.gateB, before.C]);
    expect(after.A).not.toBe(before.A);
    await d.destroy();
  });

  it("A, B and C all change: strictly serial, each gate before the next resource (calculateDependentReplacements per resource)", async () => {
    const d = new LiveDeployer();
    await d.deploy("s", chain({ a: "1", b: "1", c: "1" }));
    kit.reset();
    await d.deploy("s", chain({ a: "2", b: "2", c: "2" }));
    expect(entries()).toEqual([
      "delete gateA", "delete A", "create A", "create gateA",
      "delete gateB", "delete B", "create B", "create gateB",
      "delete C", "create C",
    ]);
    expect(ops(d, true)).toEqual(["delete-replace A", "delete-replace gateA", "delete-replace B", "delete-replace gateB", "delete-replace C"]);
    await d.destroy();
  });

  it("gateA's create fails: the deployment stops there, B, gateB and C are untouched; the next deployment goes on", async () => {
    const d = new LiveDeployer();
    await d.deploy("s", chain({ a: "1", b: "1", c: "1" }));
    const before = ids(d);
    kit.reset();
    const e: DeploymentError = await d.deploy("s", chain({ a: "2", b: "2", c: "2" }, "exit 7")).catch((x) => x);
    expect(e).toBeInstanceOf(DeploymentError);
    expect(e.failures.map((f) => f.name)).toEqual(["gateA"]);
    expect(entries()).toEqual(["delete gateA", "delete A", "create A"]);
    const after = ids(d);
    expect([after.B, after.gateB, after.C]).toEqual([before.B, before.gateB, before.C]);
    // gateA was deleted and not created again: the state keeps it as pending replacement (DeleteStep.Apply)
    expect(d.state("s").find((r) => r.name === "gateA")).toMatchObject({ id: before.gateA, pendingReplacement: true });

    // The next deployment replaces the pending gateA create-before-delete (it is not delete-before-replace), so
    // its delete runs a second time at the end (CreateStep marks it Delete; GenerateDeletes deletes it).
    kit.reset();
    await d.deploy("s", chain({ a: "2", b: "2", c: "2" }));
    expect(entries()).toEqual([
      "create gateA", "delete gateB", "delete B", "create B", "create gateB", "delete C", "create C", "delete gateA",
    ]);
    expect(ops(d, true)).toEqual(["same A", "replace gateA", "delete-replace B", "delete-replace gateB", "delete-replace C"]);
    await d.destroy();
  });
});

describe("dependencies, ignoreChanges and command updates", () => {
  it("a dependsOn change alone is a same step, and the new dependencies are recorded (SameStep keeps the new state)", async () => {
    const d = new LiveDeployer();
    const program = (dep: "x" | "y") => async () => {
      const x = logged("x");
      const y = logged("y");
      logged("z", {}, { dependsOn: [dep === "x" ? x : y] });
    };
    await d.deploy("s", program("x"));
    const urnOf = (n: string) => d.state("s").find((r) => r.name === n)!.urn;
    expect(d.state("s").find((r) => r.name === "z")!.dependencies).toEqual([urnOf("x")]);
    await d.deploy("s", program("y"));
    expect(ops(d)).toEqual(["same x", "same y", "same z"]);
    expect(d.state("s").find((r) => r.name === "z")!.dependencies).toEqual([urnOf("y")]);
    expect(entries().sort()).toEqual(["create x", "create y", "create z"]);
    await d.destroy();
  });

  it("dependsOn given as an Output<Resource[]> resolved later orders the steps and is recorded (the SDK resolves it)", async () => {
    const d = new LiveDeployer();
    await d.deploy("s", async () => {
      const a = logged("a", { create: `sleep 0.3; echo "create a" >> ${kit.journal}; echo out-a` });
      const viaOutput = a.stdout.apply(() => [a]);
      const viaPromise = pulumi.output(new Promise<string>((r) => setTimeout(() => r("later"), 50))).apply(() => [a]);
      logged("b", {}, { dependsOn: viaOutput });
      logged("c", {}, { dependsOn: viaPromise });
    });
    expect(entries()[0]).toBe("create a");
    expect(entries().slice(1).sort()).toEqual(["create b", "create c"]);
    const a = d.state("s").find((r) => r.name === "a")!.urn;
    for (const n of ["b", "c"]) expect(d.state("s").find((r) => r.name === n)!.dependencies).toEqual([a]);
    await d.destroy();
  });

  it("ignoreChanges: an ignored change is a same step, but a replacement for another reason takes the program's value", async () => {
    const d = new LiveDeployer();
    const program = (tag: string, trigger: string) => async () => ({
      out: logged("i", { create: `echo "create i $TAG" >> ${kit.journal}; echo $TAG`, environment: { TAG: tag }, triggers: [trigger] },
        { ignoreChanges: ["environment"] }).stdout,
    });
    expect(await d.deploy("s", program("t1", "1"))).toEqual({ out: "t1" });
    expect(await d.deploy("s", program("t2", "1"))).toEqual({ out: "t1" });
    expect(ops(d)).toEqual(["same i"]);
    expect(await d.deploy("s", program("t3", "2"))).toEqual({ out: "t3" }); // Check(goal.Properties) on replace
    expect(ops(d)).toEqual(["replace i"]);
    expect(entries()).toEqual(["create i t1", "create i t3", "delete i prev=t1"]); // the old half goes at the end
    await d.destroy();
  });

  it("deletedWith: no delete of its own when its target is deleted in the same operation (DeleteStep.Apply, isDeletedWith)", async () => {
    const d = new LiveDeployer();
    const program = (v: string) => async () => {
      const a = step("a", v, { deleteBeforeReplace: true });
      step("b", "1", { deletedWith: a });
    };
    await d.deploy("s", program("1"));
    kit.reset();
    await d.deploy("s", program("2")); // b is replaced with a (calculateDependentReplacements), without running its delete
    expect(entries()).toEqual(["delete a", "create a", "create b"]);
    kit.reset();
    await d.deploy("s", async () => undefined);
    expect(entries()).toEqual(["delete a"]);
  });

  it("a command's update script sees the previous stdout as PULUMI_COMMAND_STDOUT, so printing it keeps stdout", async () => {
    const d = new LiveDeployer();
    const program = (tag: string) => async () => ({
      out: logged("u", {
        create: "printf 'first\\nsecond\\n'",
        update: `echo "update $TAG" >> ${kit.journal}; printf '%s' "$PULUMI_COMMAND_STDOUT"`,
        environment: { TAG: tag },
      }).stdout,
    });
    expect(await d.deploy("s", program("t1"))).toEqual({ out: "first\nsecond" });
    expect(await d.deploy("s", program("t2"))).toEqual({ out: "first\nsecond" });
    expect(ops(d)).toEqual(["update u"]);
    expect(await d.deploy("s", program("t3"))).toEqual({ out: "first\nsecond" });
    expect(entries()).toEqual(["update t2", "update t3"]);
    await d.destroy();
  });
});
