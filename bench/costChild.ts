/**
 * One program evaluation under mocks, in a fresh process (run by cost.ts; not meant to be run by hand):
 *   node costChild.js <component|bare> <members> <clusters>
 * Prints one JSON line: load ms (requiring @pulumi/* and the program's modules), eval ms (setMocks with
 * preview=true, the program, until every resource registration has been answered: what `pulumi preview`
 * makes the language host do), resources registered, peak RSS (process.resourceUsage().maxRSS) and heap.
 */
import { performance } from "perf_hooks";
import { benchCluster } from "./topology";

async function main(): Promise<void> {
    const [variant, membersArg, clustersArg] = process.argv.slice(2);
    const members = Number(membersArg);
    const clusterCount = Number(clustersArg);
    if (!["component", "bare"].includes(variant) || !(members > 0) || !(clusterCount > 0)) {
        throw new Error("usage: costChild <component|bare> <members> <clusters>");
    }
    const hostCount = 3;
    const addresses = Array.from({ length: hostCount }, (_, i) => `10.77.0.1${i + 1}`);
    const hostUrls = addresses.map((a) => `ssh://root@${a}`);
    const image = "local/etcd:v3.5.16";
    const clusters = Array.from({ length: clusterCount }, (_, c) => benchCluster("bench-cost", c, members, hostCount));

    const t0 = performance.now();
    /* eslint-disable @typescript-eslint/no-var-requires */
    const pulumi: typeof import("@pulumi/pulumi") = require("@pulumi/pulumi");
    const settings = require("@pulumi/pulumi/runtime/settings");
    const program = variant === "component"
        ? () => (require("./componentProgram") as typeof import("./componentProgram")).componentProgram(clusters, hostUrls, image)
        : () => (require("./bareProgram") as typeof import("./bareProgram")).bareProgram(clusters, hostUrls, image, addresses);
    // Load the program's own modules too (as the language host does before running it).
    require(variant === "component" ? "./componentProgram" : "./bareProgram");
    const t1 = performance.now();

    let resources = 0;
    await pulumi.runtime.setMocks({
        newResource(args) {
            resources++;
            return { id: undefined, state: { ...args.inputs } };
        },
        call: (args) => args.inputs,
    }, "bench", "bench", true);
    const outputs = program();
    await settings.waitForRPCs();
    void outputs; // ids are unknown in a preview: like the engine, do not wait for them
    const t2 = performance.now();
    const usage = process.resourceUsage();
    process.stdout.write(JSON.stringify({
        variant, members, clusters: clusterCount, resources,
        loadMs: t1 - t0, evalMs: t2 - t1, totalMs: t2 - t0,
        maxRssMiB: usage.maxRSS / 1024, heapMiB: process.memoryUsage().heapUsed / 2 ** 20,
    }) + "\n");
}

main().then(() => process.exit(0), (e) => {
    process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
});
