/**
 * The pure functions the scripts ship to `node -e` as their own text still run when the package was loaded through
 * a transpiler that keeps function names: esbuild's `keepNames` (used by `tsx`) adds `__name(fn, "name")` calls to
 * that text. The function below has the shape esbuild gives a function with a named inner arrow.
 */
import { spawnSync } from "child_process";
import { nodeProgram } from "../../../components/scripts/shell";

// Built from text, as a transpiled module holds it; never called here, only shipped.
const pick = new Function(`return function pick(xs) {
  const big = /* @__PURE__ */ __name((x) => x > 1, "big");
  return xs.filter(big).join(",");
}`)() as (xs: number[]) => string;

const runNode = (program: string) => spawnSync(process.execPath, ["-e", program], { encoding: "utf8" });

it("runs a shipped function whose text calls esbuild's __name helper", () => {
    const r = runNode(nodeProgram({ pick }, (f) => `process.stdout.write(${f.pick}([1, 2, 3]))`));
    expect([r.status, r.stdout, r.stderr]).toEqual([0, "2,3", ""]);
});

it("the same text without the program's helper fails as tsx users saw it (the case the helper exists for)", () => {
    const r = runNode(`process.stdout.write((${pick.toString()})([1, 2, 3]))`);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/ReferenceError: __name is not defined/);
});
