/**
 * Provider functions through the stand-in engine: `command.local.runOutput` / `run` (token `command:local:run`)
 * run for real, in a preview as in a deployment (pulumi/pulumi source_eval.go, resmon.Invoke; pulumi-command
 * runController.go, Run.Invoke), except where the SDK answers "unknown" without asking the engine
 * (sdk/nodejs/runtime/invoke.ts, invokeAsync).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { DeploymentError, LiveDeployer } from "./liveDeployer";
import { journalKit, ops } from "./journalKit";

const kit = journalKit();
const { entries, logged } = kit;

/** The value of an Output as the program sees it: undefined while unknown (a preview), and whether it is secret. */
async function peek<T>(o: pulumi.Output<T>): Promise<{ known: boolean; value: T | undefined; secret: boolean }> {
  const internal = o as any;
  const known: boolean = await internal.isKnown;
  return { known, value: known ? await internal.promise() : undefined, secret: await internal.isSecret };
}

describe("command:local:run", () => {
  it("returns what the command printed (one trailing newline trimmed) with its arguments echoed, in a preview and in a deployment", async () => {
    const d = new LiveDeployer();
    let seen: Record<string, unknown>[] = [];
    const program = async () => {
      const r = command.local.runOutput({
        command: `echo "ran $MODE" >> ${kit.journal}; printf 'line1\\nline2\\n\\n'; echo warn >&2`,
        environment: { MODE: pulumi.getStack() },
      });
      r.apply((v) => { seen.push(v as any); return v; });
      logged("a", { environment: { TAG: r.stdout.apply((o) => o.replace(/\n/g, "|")) } });
      return { out: r.stdout, err: r.stderr };
    };
    await d.preview("s", program);
    expect(entries()).toEqual(["ran s"]); // the function ran, the resource did not
    expect(ops(d)).toEqual(["create a"]);
    expect(seen).toEqual([expect.objectContaining({ stdout: "line1\nline2\n", stderr: "warn", environment: { MODE: "s" } })]);
    expect(seen[0].command).toMatch(/^echo "ran \$MODE"/);

    seen = [];
    const out = await d.deploy("s", program);
    expect(out).toEqual({ out: "line1\nline2\n", err: "warn" });
    expect(entries()).toEqual(["ran s", "ran s", "create a line1|line2|"]);
    await d.deploy("s", program);
    expect(ops(d)).toEqual(["same a"]); // same output, same input: nothing to do
    expect(entries()).toHaveLength(4);
    await d.destroy();
  });

  it("honours interpreter, dir and stdin like the Command resource; the plain run() form works too", async () => {
    const d = new LiveDeployer();
    fs.mkdirSync(path.join(kit.dir, "sub"));
    const out = await d.deploy("s", async () => {
      const viaSh = command.local.runOutput({ command: "pwd; cat", dir: path.join(kit.dir, "sub"), stdin: "from stdin" });
      const viaBash = command.local.runOutput({ command: "echo $((6*7))", interpreter: ["/bin/bash", "-c"] });
      const plain = await command.local.run({ command: "echo plain" });
      return { viaSh: viaSh.stdout, viaBash: viaBash.stdout, plain: plain.stdout };
    });
    expect(out).toEqual({ viaSh: `${path.join(kit.dir, "sub")}\nfrom stdin`, viaBash: "42", plain: "plain" });
  });

  it("a secret argument makes the whole result secret (the SDK's doing) and reaches the command unwrapped", async () => {
    const d = new LiveDeployer();
    const results: Awaited<ReturnType<typeof peek>>[] = [];
    await d.deploy("s", async () => {
      const r = command.local.runOutput({ command: "printf %s \"$PW\"", environment: { PW: pulumi.secret("hunter2") } });
      results.push(await peek(r.stdout));
    });
    expect(results).toEqual([{ known: true, value: "hunter2", secret: true }]);
  });

  it("a failing command fails the program, in a preview and in a deployment, with the provider's message", async () => {
    const d = new LiveDeployer();
    const program = async () => {
      const r = command.local.runOutput({ command: "echo partial; echo oops >&2; exit 3" });
      logged("after", { environment: { TAG: r.stdout } });
      return { out: r.stdout };
    };
    await expect(d.preview("s", program)).rejects.toThrow(DeploymentError);
    const e: DeploymentError = await d.deploy("s", program).catch((x) => x);
    expect(e).toBeInstanceOf(DeploymentError);
    expect(e.failures).toEqual([{
      type: "command:local:run", name: "invoke",
      message: "invocation of command:local:run returned an error: exit status 3: running \"echo partial; echo oops >&2; exit 3\":\npartial\noops",
    }]);
    expect(d.state("s")).toEqual([]); // nothing that needed the result was created
    // A program awaiting the plain form is not waited for once the call failed.
    const e2: DeploymentError = await d.deploy("s", async () => { await command.local.run({ command: "exit 5" }); }).catch((x) => x);
    expect(e2.failures.map((f) => f.message)).toEqual(["invocation of command:local:run returned an error: exit status 5: running \"exit 5\":\n"]);
  });

  it("other function tokens are refused with a clear message, and the deployment fails", async () => {
    const d = new LiveDeployer();
    const e: DeploymentError = await d.deploy("s", async () => {
      pulumi.runtime.invokeOutput("random:index/getSomething:getSomething", {});
    }).catch((x) => x);
    expect(e.failures).toEqual([expect.objectContaining({
      type: "random:index/getSomething:getSomething",
      message: "the stand-in engine does not perform function calls but command:local:run (invoke 'random:index/getSomething:getSomething')",
    })]);
  });

  it("in a preview, a call whose arguments or dependsOn wait on a resource to be created is unknown and not run (the SDK's gate)", async () => {
    const d = new LiveDeployer();
    const results: Awaited<ReturnType<typeof peek>>[] = [];
    const program = async () => {
      const a = logged("a");
      const byArg = command.local.runOutput({ command: pulumi.interpolate`echo "arg ${a.stdout}" >> ${kit.journal}; echo x` });
      const byDep = command.local.runOutput({ command: `echo "dep" >> ${kit.journal}; echo y` }, { dependsOn: [a] });
      results.push(await peek(byArg.stdout), await peek(byDep.stdout));
    };
    await d.preview("s", program);
    expect(entries()).toEqual([]);
    expect(results).toEqual([{ known: false, value: undefined, secret: false }, { known: false, value: undefined, secret: false }]);

    results.length = 0;
    await d.deploy("s", program); // both wait for a, then run
    expect(entries()[0]).toBe("create a");
    expect(entries().slice(1).sort()).toEqual(["arg out-a", "dep"]);
    expect(results.map((r) => r.value)).toEqual(["x", "y"]);

    results.length = 0;
    await d.preview("s", program); // a exists now (a same step): its outputs are known, so both run in the preview
    expect(entries().slice(3).sort()).toEqual(["arg out-a", "dep"]);
    expect(results.map((r) => r.value)).toEqual(["x", "y"]);
    await d.destroy();
  });
});
