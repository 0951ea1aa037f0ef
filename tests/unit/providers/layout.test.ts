/**
 * The shape of providers/: the plugins stand on their own (no import from tests/, components/ or bench/: they
 * are a package of their own), no import cycles, and no file past 300 lines.
 */
import * as fs from "fs";
import * as path from "path";
import { cycles, importGraph } from "../importGraph";

const root = path.join(__dirname, "..", "..", "..", "providers");

// Imports that leave providers/ are kept as paths ("../…"), to be refused below.
const { files, graph } = importGraph(root, true);

it("reads the import graph of providers/", () => {
    expect(graph.get("docker/main.ts")).toEqual(expect.arrayContaining(["server.ts", "docker/resources.ts"]));
});

it.each(files)("%s imports nothing from outside providers/", (file) => {
    expect(graph.get(file)!.filter((g) => g.startsWith(".."))).toEqual([]);
});

it("has no import cycles", () => {
    expect(cycles(files, graph).map((c) => c.join(" -> "))).toEqual([]);
});

it.each(files)("%s is at most 300 lines", (file) => {
    expect(fs.readFileSync(path.join(root, file), "utf8").split("\n").length).toBeLessThanOrEqual(300);
});
