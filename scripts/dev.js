#!/usr/bin/env node
/**
 * `pulumi up` / `pulumi destroy` of a stack of this project (default `dev`) through Pulumi's Automation API, with
 * the program (bin/index.js, built by `npm ci`) run inline: the engine reaches it in this process, so no Node
 * language-host plugin is needed next to the CLI, and the CLI on PATH (or PULUMI_CLI_ROOT/bin/pulumi) does the
 * rest with the stack's config (stacks/Pulumi.<stack>.yaml) and the backend you are logged in to.
 *
 *   node scripts/dev.js up [stack]        deploy, then print the health report
 *   node scripts/dev.js destroy [stack]   destroy (data volumes are kept unless dataVolumes.onDestroy is "delete")
 *
 * ETCD_IMAGE overrides the stack's `image` for this run (an image already on the Docker engine, for a machine
 * that cannot pull from a registry).
 */
const path = require("path");
const root = path.resolve(__dirname, "..");
const { LocalWorkspace, PulumiCommand } = require(path.join(root, "node_modules/@pulumi/pulumi/automation"));
const pulumi = require(path.join(root, "node_modules/@pulumi/pulumi"));

async function main() {
    const [op = "up", stackName = "dev"] = process.argv.slice(2);
    if (!["up", "destroy"].includes(op)) throw new Error(`usage: node scripts/dev.js up|destroy [stack] (got '${op}')`);
    const program = async () => {
        if (process.env.ETCD_IMAGE) pulumi.runtime.setConfig(`${pulumi.getProject()}:image`, process.env.ETCD_IMAGE);
        return { ...require(path.join(root, "bin/index.js")) };
    };
    const pulumiCommand = await PulumiCommand.get(process.env.PULUMI_CLI_ROOT ? { root: process.env.PULUMI_CLI_ROOT } : undefined);
    // Inline program arguments (a project name, no workDir among them): with a workDir there the Automation API would
    // run `pulumi up` on the folder, which needs the language plugin. The workspace is still this folder, so the
    // stack's config is stacks/Pulumi.<stack>.yaml as Pulumi.yaml says.
    const projectName = require(path.join(root, "package.json")).name;
    const stack = await LocalWorkspace.createOrSelectStack({ stackName, projectName, program }, { workDir: root, pulumiCommand });
    const onOutput = (out) => process.stdout.write(out);
    if (op === "destroy") {
        await stack.destroy({ onOutput, color: "auto" });
        return;
    }
    const result = await stack.up({ onOutput, color: "auto" });
    console.log(`\n${result.outputs.healthReport?.value ?? "(no health report)"}`);
}

main().catch((e) => {
    // The engine's own output, above, says what failed; this line only closes it.
    const lines = e && e.message ? e.message.split("\n").filter((l) => /error/i.test(l)) : [];
    console.error(`dev.js: ${lines.length ? lines.slice(-3).join(" / ") : e}`);
    process.exit(1);
});
