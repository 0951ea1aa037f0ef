/**
 * Whole deployments through the stand-in engine, with resources it performs on this machine (random, local
 * commands writing to a journal file), checked against what pulumi/pulumi's engine does in the same scenario
 * (its own tests: pkg/engine/lifecycletest/{delete_before_replace,retain_on_delete,protect,alias}_test.go).
 */
import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { DeploymentError, DestroyError, formatPlan, LiveDeployer } from "./liveDeployer";
import { journalKit, ops } from "./journalKit";
import { secretValue } from "./engine/values";

const kit = journalKit();
const { entries, logged } = kit;

describe("the stand-in engine, deployment by deployment", () => {
  it("leaves unchanged resources alone and keeps their outputs; another stack is separate", async () => {
    const d = new LiveDeployer();
    const program = async () => ({ hex: new random.RandomId("token", { byteLength: 8 }).hex, out: logged("a").stdout });
    const first = await d.deploy("s", program);
    const second = await d.deploy("s", program);
    expect(second).toEqual(first);
    expect(d.unchanged.sort()).toEqual(["command:local:Command a", "random:index/randomId:RandomId token"]);
    expect(ops(d)).toEqual(["same a", "same token"]);
    expect(entries()).toEqual(["create a"]);
    const other = await d.deploy("t", program);
    expect(other.hex).not.toBe(first.hex);
    await d.destroy();
  });

  it("a secret input reaches the engine as a secret: kept wrapped in state, never logged, its echo in the outputs still secret", async () => {
    const lines: string[] = [];
    const d = new LiveDeployer({ log: (l) => lines.push(l) });
    const secret: boolean[] = [];
    await d.deploy("s", async () => {
      const a = logged("a", { environment: { TAG: pulumi.secret("hush") } });
      secret.push(await pulumi.isSecret(a.environment), await pulumi.isSecret(a.stdout));
    });
    expect(entries()).toEqual(["create a hush"]);
    expect(d.state("s")[0].inputs.environment).toEqual({ TAG: secretValue("hush") });
    expect(secret).toEqual([true, false]); // pulumi-command: only the output of the same name is secret
    expect(lines.join("\n")).not.toContain("hush");
    await d.destroy();
  });

  it("replaces create-first on a ForceNew change: the old half is deleted after the program (random: RequiresReplace)", async () => {
    const d = new LiveDeployer();
    const program = (n: number) => async () => ({ hex: new random.RandomId("token", { byteLength: n }).hex });
    const first = await d.deploy("s", program(8));
    const second = await d.deploy("s", program(4));
    expect(second.hex).toMatch(/^[0-9a-f]{8}$/);
    expect(second.hex).not.toBe(first.hex.slice(0, 8));
    expect(d.plan).toEqual([expect.objectContaining({ op: "replace", name: "token", keys: ["byteLength"] })]);
    expect(formatPlan(d.plan)).toBe("+- random:index/randomId:RandomId token replace [replace: byteLength]");
  });

  it("a command: a triggers change replaces (new create, then the old delete at the end); another input re-runs create", async () => {
    const d = new LiveDeployer();
    const program = (trigger: string, tag: string) => async () => {
      logged("a", { triggers: [trigger], environment: { TAG: tag } });
      logged("b", { environment: { TAG: "x" } });
    };
    await d.deploy("s", program("1", "t1"));
    await d.deploy("s", program("2", "t1"));
    expect(ops(d)).toEqual(["replace a", "same b"]);
    await d.deploy("s", program("2", "t2"));
    expect(ops(d)).toEqual(["same b", "update a"]);
    expect(entries().slice(0, 2).sort()).toEqual(["create a t1", "create b x"]);
    expect(entries().slice(2)).toEqual(["create a t1", "delete a prev=out-a", "create a t2"]);
    await d.destroy();
    expect(entries().slice(5).sort()).toEqual(["delete a prev=out-a", "delete b prev=out-b"]);
  });

  it("deleteBeforeReplace: property dependents whose input would be replaced go first, a dependsOn one stays (calculateDependentReplacements)", async () => {
    const d = new LiveDeployer();
    const program = (trigger: string) => async () => {
      const a = logged("a", { triggers: [trigger] }, { deleteBeforeReplace: true });
      logged("byProperty", { triggers: [a.stdout] });
      logged("byInput", { environment: { TAG: a.stdout } });
      logged("byDependsOn", {}, { dependsOn: [a] });
    };
    await d.deploy("s", program("1"));
    fs.writeFileSync(kit.journal, "");
    await d.deploy("s", program("2"));
    expect(ops(d, true).slice(0, 2)).toEqual(["delete-replace a", "delete-replace byProperty"]);
    expect(ops(d)).toEqual(["delete-replace a", "delete-replace byProperty", "same byDependsOn", "same byInput"]);
    expect(d.plan[1].reason).toBe("dependent of a");
    expect(entries()).toEqual(["delete byProperty prev=out-byProperty", "delete a prev=out-a", "create a", "create byProperty"]);
    await d.destroy();
  });

  it("a dependsOn chain runs strictly in order, each step after the one before finished (prepareResource awaits URNs)", async () => {
    const d = new LiveDeployer();
    await d.deploy("s", async () => {
      const a = logged("a", { create: `sleep 0.3; echo "create a" >> ${kit.journal}` });
      const b = logged("b", { create: `sleep 0.1; echo "create b" >> ${kit.journal}` }, { dependsOn: [a] });
      logged("c", {}, { dependsOn: [b] });
    });
    expect(entries()).toEqual(["create a", "create b", "create c"]);
    await d.destroy();
    expect(entries().slice(3)).toEqual(["delete c prev=out-c", "delete b prev=", "delete a prev="]);
  });

  it("a resource the program no longer registers is deleted at the end, dependents first", async () => {
    const d = new LiveDeployer();
    await d.deploy("s", async () => {
      const a = logged("a");
      logged("b", {}, { dependsOn: [a] });
      logged("keep", { create: `echo "create keep" >> ${kit.journal}` }, { dependsOn: [a] });
    });
    await d.deploy("s", async () => { logged("keep", { create: `echo "create keep" >> ${kit.journal}` }); });
    expect(ops(d, true)).toEqual(["same keep", "delete b", "delete a"]);
    expect(entries().slice(3)).toEqual(["delete b prev=out-b", "delete a prev=out-a"]);
    await d.destroy();
  });

  it("retainOnDelete forgets instead of deleting; protect refuses", async () => {
    const d = new LiveDeployer();
    await d.deploy("s", async () => { logged("kept", {}, { retainOnDelete: true }); });
    const report = await d.destroy();
    expect(report.retained).toEqual(["command:local:Command kept"]);
    expect(entries()).toEqual(["create kept"]);

    await d.deploy("p", async () => { logged("guarded", {}, { protect: true }); });
    await expect(d.destroy("p")).rejects.toThrow(DestroyError);
    await expect(d.destroy("p")).rejects.toThrow(/is protected/);
    await d.deploy("p", async () => { logged("guarded", {}, { protect: false }); });
    await d.destroy("p");
    expect(entries()).toContain("delete guarded prev=out-guarded");
  });

  it("ignoreChanges keeps the old input: dropping a RandomId prefix changes nothing for an existing stack", async () => {
    const d = new LiveDeployer();
    const first = await d.deploy("s", async () => ({ hex: new random.RandomId("t", { byteLength: 4, prefix: "p-" }).hex }));
    const again = await d.deploy("s", async () => ({
      hex: new random.RandomId("t", { byteLength: 4 }, { ignoreChanges: ["prefix"] }).hex,
    }));
    expect(ops(d)).toEqual(["same t"]);
    expect(again.hex).toBe(first.hex);
    const fresh = await d.deploy("new", async () => ({
      hex: new random.RandomId("t", { byteLength: 4 }, { ignoreChanges: ["prefix"] }).hex,
    }));
    expect(fresh.hex).toMatch(/^[0-9a-f]{8}$/);
  });

  it("aliases: a resource moved under a component keeps its state", async () => {
    class Box extends pulumi.ComponentResource {
      constructor(name: string, make: (parent: pulumi.Resource) => void) {
        super("test:index:Box", name, {}, {});
        make(this);
        this.registerOutputs({});
      }
    }
    const d = new LiveDeployer();
    const before = await d.deploy("s", async () => ({ out: logged("a").stdout }));
    const after = await d.deploy("s", async () => {
      let out: pulumi.Output<string> | undefined;
      new Box("box", (parent) => { out = logged("a", {}, { parent, aliases: [{ parent: pulumi.rootStackResource }] }).stdout; });
      return { out: out! };
    });
    expect(after.out).toBe(before.out);
    expect(ops(d)).toEqual(["create box", "same a"]);
    expect(d.state("s").map((r) => r.urn)).toContain("urn:pulumi:s::etcd-cluster::test:index:Box$command:local:Command::a");
    expect(entries()).toEqual(["create a"]);
    await d.destroy();
  });

  it("preview performs nothing and shows every step; unknown outputs make dependents replace", async () => {
    const d = new LiveDeployer();
    const program = (n: number) => async () => {
      const id = new random.RandomId("id", { byteLength: n });
      logged("uses", { triggers: [id.hex] });
      logged("plain");
    };
    expect(await d.preview("s", program(4))).toBe(d.plan);
    expect(ops(d)).toEqual(["create id", "create plain", "create uses"]);
    expect(entries()).toEqual([]);
    expect(d.state("s")).toEqual([]);
    await d.deploy("s", program(4));
    const plan2 = await d.preview("s", program(8));
    expect(plan2).toBe(d.plan);
    expect(ops(d)).toEqual(["replace id", "replace uses", "same plain"]);
    expect(entries().sort()).toEqual(["create plain", "create uses"]);
    await d.destroy();
  });

  it("a failed step stops the deployment; the old half of a replacement waits in state for the next one", async () => {
    const d = new LiveDeployer();
    const program = (t: string, fail: boolean) => async () => {
      const a = logged("a", { triggers: [t] });
      logged("b", { create: fail ? "exit 3" : "true" }, { dependsOn: [a] });
    };
    await d.deploy("s", program("1", false));
    await expect(d.deploy("s", program("2", true))).rejects.toThrow(DeploymentError);
    expect(entries()).toEqual(["create a", "create a"]); // the old a not deleted yet
    await d.deploy("s", program("2", false));
    expect(entries()).toEqual(["create a", "create a", "delete a prev=out-a"]);
    await d.destroy();
  });
});
