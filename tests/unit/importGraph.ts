/**
 * The import graph of a source folder, for the layout tests of components/ and providers/: its .ts and .js files, what each
 * imports or re-exports by relative path, and the cycles among them. Its .js files (components/plan/decide.js, shipped
 * to the scripts as it is) count as sources too.
 */
import * as fs from "fs";
import * as path from "path";

export function sources(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? sources(path.join(dir, e.name)) : /\.(ts|js)$/.test(e.name) ? [path.join(dir, e.name)] : []);
}

/**
 * The files a file imports or re-exports from, relative to `root` ("../x" for one outside it). A target that does not
 * exist is an error, unless `outside` is set: then it is returned as its path, for the caller to refuse.
 */
export function importsOf(file: string, root: string, outside = false): string[] {
    const text = fs.readFileSync(file, "utf8");
    const specs = [...text.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+"(\.{1,2}\/[^"]*)"/gms)].map((m) => m[1]);
    return specs.map((spec) => {
        const base = path.resolve(path.dirname(file), spec);
        const target = [`${base}.ts`, `${base}.js`, path.join(base, "index.ts")].find((f) => fs.existsSync(f)) ?? (outside ? base : undefined);
        if (!target) throw new Error(`${path.relative(root, file)} imports ${spec}, which does not exist`);
        return path.relative(root, target);
    });
}

/** The folder's files (relative to it) and the graph of their imports. */
export function importGraph(root: string, outside = false): { files: string[]; graph: Map<string, string[]> } {
    const files = sources(root).map((f) => path.relative(root, f)).sort();
    return { files, graph: new Map(files.map((f) => [f, importsOf(path.join(root, f), root, outside)])) };
}

/** Every cycle, each as the chain of files that closes it. */
export function cycles(files: string[], graph: Map<string, string[]>): string[][] {
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
