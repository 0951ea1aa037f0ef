/**
 * The shape of components/: no import cycles (type-only imports included), imports that only point back along
 * args → resolve → plan → scripts → resources, and no file past 300 lines.
 */
import * as fs from "fs";
import * as path from "path";
import { cycles as cyclesOf, importGraph, importsOf } from "./importGraph";

const root = path.join(__dirname, "..", "..", "components");
// diagnose: the pure matching of members' observed state and logs, used by the scripts that gather them.
const layers = ["args", "resolve", "plan", "diagnose", "scripts", "resources"];

const { files, graph } = importGraph(root);
const cycles = () => cyclesOf(files, graph);

it("reads the import graph of components/", () => {
    expect(files.length).toBeGreaterThan(20);
    expect(graph.get("resources/etcdCluster.ts")).toEqual(expect.arrayContaining(["resources/etcdMember.ts", "plan/cluster.ts", "resolve/cluster.ts"]));
});

it("has no import cycles", () => {
    expect(cycles().map((c) => c.join(" -> "))).toEqual([]);
});

it("finds a cycle when there is one (the check itself)", () => {
    graph.set("plan/cluster.ts", [...graph.get("plan/cluster.ts")!, "resources/etcdCluster.ts"]);
    try {
        expect(cycles().length).toBeGreaterThan(0);
    } finally {
        graph.set("plan/cluster.ts", importsOf(path.join(root, "plan/cluster.ts"), root));
    }
});

it.each(files.filter((f) => f.includes("/")))("%s imports only from its own layer or earlier ones", (file) => {
    const layer = (f: string) => layers.indexOf(f.split("/")[0]);
    expect(layer(file)).toBeGreaterThanOrEqual(0);
    const later = (graph.get(file) ?? []).filter((g) => layer(g) > layer(file));
    expect(later).toEqual([]);
});

it.each(files)("%s is at most 300 lines", (file) => {
    expect(fs.readFileSync(path.join(root, file), "utf8").split("\n").length).toBeLessThanOrEqual(300);
});
