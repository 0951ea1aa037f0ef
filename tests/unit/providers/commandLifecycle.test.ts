/** The command plugin's lifecycle, local runs and failure texts (pulumi-command v1.2.1 semantics). */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { lifecycle, previousEnv, runFunction, Runner } from "../../../providers/command/lifecycle";
import { runLocal } from "../../../providers/command/local";
import { CommandFailed, goQuote, outputsOf, trimOutput } from "../../../providers/command/outcome";
import { dial, dialDelayMs, exitText, mayRedial, sshConfig } from "../../../providers/command/remote";

/** A runner that records each call and answers from a script of results. */
function fakeRunner(answer: (command: string) => { failure?: string; stdout?: string; stderr?: string } = () => ({})) {
  const calls: { inputs: any; command: string; env: Record<string, string> }[] = [];
  const run: Runner = async (inputs, command, env) => {
    calls.push({ inputs, command, env });
    const a = answer(command);
    const stdout = a.stdout ?? "";
    const stderr = a.stderr ?? "";
    return { failure: a.failure ?? "", stdout, stderr, combined: stdout + stderr };
  };
  return { run, calls };
}

describe("lifecycle", () => {
  it("create runs create and echoes the inputs with stdout/stderr losing one trailing newline", async () => {
    const f = fakeRunner(() => ({ stdout: "a\n\n", stderr: "w\n" }));
    const out = await lifecycle(f.run).create({ create: "echo a", environment: { X: "1" }, triggers: [1] }, false);
    expect(out).toEqual({ create: "echo a", environment: { X: "1" }, triggers: [1], stdout: "a\n", stderr: "w" });
    expect(f.calls).toEqual([{ inputs: expect.anything(), command: "echo a", env: {} }]);
  });

  it("create without a create command, and any create in a preview, runs nothing and has empty outputs", async () => {
    const f = fakeRunner();
    const l = lifecycle(f.run);
    expect(await l.create({ delete: "rm x" }, false)).toEqual({ delete: "rm x", stdout: "", stderr: "" });
    expect(await l.create({ create: "touch x" }, true)).toEqual({ create: "touch x", stdout: "", stderr: "" });
    expect(f.calls).toHaveLength(0);
  });

  it("a failed create throws the exit, the quoted command and the whole interleaved output", async () => {
    const f = fakeRunner(() => ({ failure: "exit status 3", stdout: "out\n", stderr: "why\n" }));
    await expect(lifecycle(f.run).create({ create: "false" }, false)).rejects.toThrow('exit status 3: running "false":\nout\nwhy\n');
  });

  it("update runs update, else create, with the previous outputs in PULUMI_COMMAND_STDOUT/STDERR", async () => {
    const f = fakeRunner(() => ({ stdout: "new" }));
    const l = lifecycle(f.run);
    const state = { create: "c", update: "u", stdout: "old", stderr: "olderr" };
    expect(await l.update(state, { create: "c2", update: "u2" }, false)).toEqual({ create: "c2", update: "u2", stdout: "new", stderr: "" });
    expect(await l.update(state, { create: "c2" }, false)).toMatchObject({ stdout: "new" });
    expect(f.calls.map((c) => [c.command, c.env])).toEqual([
      ["u2", { PULUMI_COMMAND_STDOUT: "old", PULUMI_COMMAND_STDERR: "olderr" }],
      ["c2", { PULUMI_COMMAND_STDOUT: "old", PULUMI_COMMAND_STDERR: "olderr" }],
    ]);
  });

  it("update with neither command, or in a preview, keeps the old outputs and runs nothing", async () => {
    const f = fakeRunner();
    const l = lifecycle(f.run);
    const state = { create: "c", stdout: "kept", stderr: "" };
    expect(await l.update(state, { delete: "d" }, false)).toEqual({ delete: "d", stdout: "kept", stderr: "" });
    expect(await l.update(state, { create: "c2" }, true)).toEqual({ create: "c2", stdout: "kept", stderr: "" });
    expect(f.calls).toHaveLength(0);
  });

  it("addPreviousOutputInEnv: false (of the new inputs on update, of the state on delete) keeps them out", async () => {
    const f = fakeRunner();
    const l = lifecycle(f.run);
    await l.update({ stdout: "old" }, { create: "c", addPreviousOutputInEnv: false }, false);
    await l.delete({ delete: "d", stdout: "old", addPreviousOutputInEnv: false });
    await l.delete({ delete: "d", stdout: "old" });
    expect(f.calls.map((c) => c.env)).toEqual([{}, {}, { PULUMI_COMMAND_STDOUT: "old" }]);
  });

  it("delete runs the state's delete with the state's inputs, and nothing without one", async () => {
    const f = fakeRunner();
    const l = lifecycle(f.run);
    await l.delete({ create: "c", stdout: "x" });
    await l.delete({ delete: "d", dir: "/tmp", stdout: "" });
    expect(f.calls).toEqual([{ inputs: { delete: "d", dir: "/tmp", stdout: "" }, command: "d", env: {} }]);
  });

  it("previousEnv sets only the non-empty outputs", () => {
    expect(previousEnv({}, { stdout: "", stderr: "e" })).toEqual({ PULUMI_COMMAND_STDERR: "e" });
    expect(previousEnv({ addPreviousOutputInEnv: true }, { stdout: "o" })).toEqual({ PULUMI_COMMAND_STDOUT: "o" });
  });

  it("run echoes its arguments with stdout and stderr, and fails with the output", async () => {
    const ok = fakeRunner(() => ({ stdout: "42\n" }));
    expect(await runFunction(ok.run, { command: "echo 42", environment: { A: "b" } }))
      .toEqual({ command: "echo 42", environment: { A: "b" }, stdout: "42", stderr: "" });
    const bad = fakeRunner(() => ({ failure: "exit status 1", stderr: "no\n" }));
    await expect(runFunction(bad.run, { command: "x" })).rejects.toThrow(CommandFailed);
  });
});

describe("local runs", () => {
  it("run /bin/sh -c with environment, previous outputs last, stdin and dir", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cmd-"));
    const r = await runLocal('printf "%s %s %s " "$A" "$PULUMI_COMMAND_STDOUT" "$PWD"; cat', { environment: { A: "a", PULUMI_COMMAND_STDOUT: "mine" }, stdin: "in", dir },
      { PULUMI_COMMAND_STDOUT: "prev" });
    expect(r).toEqual({ failure: "", stdout: `a prev ${fs.realpathSync(dir)} in`, stderr: "", combined: `a prev ${fs.realpathSync(dir)} in` });
    fs.rmSync(dir, { recursive: true });
  });

  it("use the interpreter, and report exits, signals and start failures as Go does", async () => {
    expect((await runLocal("console.log(1+1)", { interpreter: [process.execPath, "-e"] }, {})).stdout).toBe("2\n");
    const failed = await runLocal("echo o; echo e >&2; exit 4", {}, {});
    expect(failed.failure).toBe("exit status 4");
    expect(failed.combined).toBe("o\ne\n");
    expect((await runLocal("kill -TERM $$", {}, {})).failure).toBe("signal: terminated");
    expect((await runLocal("true", { dir: "/nonexistent-dir" }, {})).failure).toBe("chdir /nonexistent-dir: no such file or directory");
    expect((await runLocal("x", { interpreter: ["no-such-interpreter"] }, {})).failure)
      .toBe('exec: "no-such-interpreter": executable file not found in $PATH');
  });
});

describe("texts", () => {
  it("trimOutput drops one newline only; goQuote quotes as Go's %q", () => {
    expect(trimOutput("a\n\n")).toBe("a\n");
    expect(trimOutput("a")).toBe("a");
    expect(goQuote('a "b"\n\t\x1b\x7f\\é')).toBe('"a \\"b\\"\\n\\t\\x1b\\x7f\\\\é"');
    expect(() => outputsOf("c", { failure: "exit status 1", stdout: "", stderr: "", combined: "all" })).toThrow('exit status 1: running "c":\nall');
  });

  it("remote exits read as Go's ssh Waitmsg", () => {
    expect(exitText(0, undefined)).toBe("");
    expect(exitText(2, undefined)).toBe("Process exited with status 2");
    expect(exitText(null, "SIGKILL")).toBe("Process exited with status 137 from signal KILL");
    expect(exitText(null, undefined)).toBe("wait: remote command exited without exit status or exit signal");
  });
});

describe("ssh dialing", () => {
  it("allows dialErrorLimit failures (11 dials by default), none limit for -1, delays from 100 ms ×1.5 to 5 s", () => {
    expect(mayRedial(10, 10)).toBe(true);
    expect(mayRedial(11, 10)).toBe(false);
    expect(mayRedial(1000, -1)).toBe(true);
    expect([1, 2, 3].map(dialDelayMs)).toEqual([100, 150, 225]);
    expect(dialDelayMs(20)).toBe(5000);
  });

  it("fails at once, without dialing, on a private key that does not parse", async () => {
    const notes: string[] = [];
    await expect(dial({ host: "192.0.2.1", port: 22, user: "u", privateKey: "not a key", dialErrorLimit: 10, perDialTimeout: 1 }, (l) => notes.push(l)))
      .rejects.toThrow("ssh: cannot parse the private key");
    expect(notes).toEqual([]);
  });

  it("uses the key and the agent of SSH_AUTH_SOCK, never a config file, and the per-dial timeout", () => {
    const saved = process.env.SSH_AUTH_SOCK;
    process.env.SSH_AUTH_SOCK = "/run/agent.sock";
    try {
      const c = sshConfig({ host: "h", port: 2222, user: "u", privateKey: "KEY", dialErrorLimit: 10, perDialTimeout: 15 });
      expect(c).toEqual({ host: "h", port: 2222, username: "u", privateKey: "KEY", agent: "/run/agent.sock", readyTimeout: 15000 });
    } finally {
      if (saved === undefined) delete process.env.SSH_AUTH_SOCK;
      else process.env.SSH_AUTH_SOCK = saved;
    }
  });
});
