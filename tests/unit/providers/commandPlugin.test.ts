/** The command plugin as the server sees it: handlers, the `run` function, ids (local commands run for real). */
import { commandId, commandPlugin } from "../../../providers/command/main";
import { LOCAL, REMOTE, RUN } from "../../../providers/command/schema";
import { secretValue } from "../../../providers/values";

const plugin = commandPlugin();
const noLog = () => undefined;

describe("command plugin", () => {
  it("is the version @pulumi/command asks for, with both Command types and the run function", () => {
    expect(plugin.version).toBe(require("@pulumi/command/package.json").pulumi.version);
    expect(Object.keys(plugin.resources).sort()).toEqual([LOCAL, REMOTE]);
    expect(Object.keys(plugin.functions ?? {})).toEqual([RUN]);
  });

  it("ids are the resource's name and 8 hex digits (resource.NewUniqueHex)", () => {
    expect(commandId("urn:pulumi:s::p::command:local:Command::etcd-n1-join")).toMatch(/^etcd-n1-join[0-9a-f]{8}$/);
  });

  it("create computes stdout/stderr; update sees the old stdout; delete runs the state's delete", async () => {
    const h = plugin.resources[LOCAL];
    const created = await h.create({ create: "echo one; echo e >&2" }, noLog, "urn:pulumi:s::p::command:local:Command::c");
    expect(created.computed).toEqual({ stdout: "one", stderr: "e" });
    const updated = await h.update!(created.id, { create: "echo one" }, { create: 'echo "was $PULUMI_COMMAND_STDOUT"' }, ["create"], noLog, created.computed);
    expect(updated).toEqual({ stdout: "was one", stderr: "" });
    await expect(h.delete!(created.id, { delete: 'test "$PULUMI_COMMAND_STDOUT" = "was one" || exit 9' }, updated, noLog)).resolves.toBeUndefined();
    await expect(h.delete!(created.id, { delete: "exit 9" }, updated, noLog)).rejects.toThrow('exit status 9: running "exit 9":\n');
  });

  it("fill gives the remote connection its defaults as one secret; validate refuses what is not modelled", () => {
    const h = plugin.resources[REMOTE];
    expect(h.fill!({ connection: { host: "h" } }).connection).toEqual(secretValue({ host: "h", user: "root", port: 22, dialErrorLimit: 10, perDialTimeout: 15 }));
    expect(() => h.validate({ connection: { host: "h", proxy: { host: "b" } } })).toThrow("'connection.proxy'");
    expect(() => h.validate({ create: 5 })).toThrow("'create' must be of type string");
  });

  it("run echoes its arguments (secrets kept secret) with the output, and fails with it", async () => {
    const run = plugin.functions![RUN];
    expect(await run({ command: 'echo "$PW"', environment: secretValue({ PW: "pw" }) }, noLog))
      .toEqual({ command: 'echo "$PW"', environment: secretValue({ PW: "pw" }), stdout: "pw", stderr: "" });
    await expect(run({ command: "echo out; exit 2" }, noLog)).rejects.toThrow('exit status 2: running "echo out; exit 2":\nout\n');
    await expect(run({ command: "true", archivePaths: ["x"] }, noLog)).rejects.toThrow("'archivePaths'");
  });
});
