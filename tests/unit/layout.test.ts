/**
 * The shape of components/: no import cycles (type-only imports included), imports that only point back along
 * args → resolve → plan → scripts → resources, and no file past 300 lines.
 */
import * as fs from "fs";
import * as path from "path";

const root = path.join(__dirname, "..", "..", "components");
// diagnose: the pure matching of members' observed state and logs, used by the scripts that gather them.
const layers = ["args", "resolve", "plan", "diagnose", "scripts", "resources"];

function sources(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : []);
}

/** The components/ files a file imports or re-exports from, as paths relative to components/. */
function importsOf(file: string): string[] {
    const text = fs.readFileSync(file, "utf8");
    const specs = [...text.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+"(\.{1,2}\/[^"]*)"/gms)].map((m) => m[1]);
    return specs.map((spec) => {
        const base = path.resolve(path.dirname(file), spec);
        const target = [`${base}.ts`, path.join(base, "index.ts")].find((f) => fs.existsSync(f));
        if (!target) throw new Error(`${path.relative(root, file)} imports ${spec}, which does not exist`);
        return path.relative(root, target);
    });
}

const files = sources(root).map((f) => path.relative(root, f)).sort();
const graph = new Map(files.map((f) => [f, importsOf(path.join(root, f))]));

/** Every cycle, each as the chain of files that closes it. */
function cycles(): string[][] {
    const found: string[][] = [];
    const state = new Map<string, "open" | "done">();
    const visit = (f: string, chain: string[]) => {
        if (state.get(f) === "done") return;
        if (state.get(f) === "open") {
            found.push([...chain.slice(chain.indexOf(f)), f]);
            return;
        }
        state.set(f, "open");
        for (const g of graph.get(f) ?? []) visit(g, [...chain, f]);
        state.set(f, "done");
    };
    files.forEach((f) => visit(f, []));
    return found;
}

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
        graph.set("plan/cluster.ts", importsOf(path.join(root, "plan/cluster.ts")));
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
