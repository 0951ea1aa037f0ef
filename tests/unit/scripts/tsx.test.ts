/**
 * The component run from its TypeScript sources under tsx, as `node --import tsx` runs a Pulumi program: esbuild keeps
 * function names by adding `__name(...)` calls, and what the scripts run must not depend on that. The decisions' shell
 * function and the diagnosis program are made there, in a process of their own, and run.
 */
import { spawnSync } from "child_process";
import * as path from "path";
import { decideFunction } from "../../../components/scripts/shell";

const root = path.join(__dirname, "..", "..", "..");
const fixture = path.join(__dirname, "..", "plan", "etcdctl-json", "3.6.17-member-list-voters.json");
const made = spawnSync(process.execPath, ["--import", "tsx", "-e", `
    const { decideFunction } = require("./components/scripts/shell");
    const { diagnosisProgram } = require("./components/scripts/diagnose");
    process.stdout.write(JSON.stringify({ decide: decideFunction(), diagnosis: diagnosisProgram() }));`], { cwd: root, encoding: "utf8" });
const { decide, diagnosis } = JSON.parse(made.stdout || "{}") as { decide?: string; diagnosis?: string };

it("makes the scripts' programs under tsx", () => {
    expect([made.status, made.stderr]).toEqual([0, ""]);
});

it("carries the decisions as the file's own text: the same under tsx as under ts-jest (and tsc, see check:consumer)", () => {
    expect(decide).toBe(decideFunction());
    const r = spawnSync("/bin/sh", ["-c", `${decide}\ndecide self "@$1" http://capjson-n2:2380`, "sh", fixture], { encoding: "utf8" });
    expect([r.stderr, r.stdout]).toEqual(["", expect.stringMatching(/^[0-9a-f]+ started voter\n$/)]);
});

it("runs the diagnosis program made under tsx, esbuild's __name calls and all", () => {
    expect(diagnosis).toContain("__name(");
    const observed = "member etcd-n1 ssh://root@h1 etcd-n1\nstate exited 1 false 0\nlog {\"level\":\"fatal\",\"msg\":\"listen tcp 0.0.0.0:2379: bind: address already in use\"}\n";
    const r = spawnSync(process.execPath, ["-e", diagnosis!], { input: observed, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^Diagnosis:\n- etcd-n1 \(container etcd-n1 on ssh:\/\/root@h1\)/);
});
