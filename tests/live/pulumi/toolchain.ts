/**
 * Where the live layer finds the real Pulumi toolchain that `tools/toolchain.sh` builds: the CLI built from its Go
 * module, and the provider plugins installed into a PULUMI_HOME of the project's own. Nothing is downloaded at run
 * time: a missing piece is an error that says how to build it, never a fallback to something else.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export const toolchainDir = process.env.ETCD_TOOLCHAIN_DIR ?? path.resolve(__dirname, "../../../.toolchain");
export const pulumiHome = path.join(toolchainDir, "pulumi-home");
export const pulumiBin = path.join(toolchainDir, "bin", "pulumi");

/** The plugins the component's SDK packages ask for, at the exact versions they request (package.json `pulumi`). */
export function requiredPlugins(): { name: string; version: string }[] {
    return ["command", "docker", "random", "tls"].map((name) => {
        const pkg = require(`@pulumi/${name}/package.json`) as { pulumi?: { version?: string }; version: string };
        return { name, version: pkg.pulumi?.version ?? pkg.version };
    });
}

/** Throws, naming every missing piece and the command that builds it. */
export function checkToolchain(): void {
    const missing: string[] = [];
    if (!fs.existsSync(pulumiBin)) missing.push(`the Pulumi CLI (${pulumiBin})`);
    for (const p of requiredPlugins()) {
        const file = path.join(pulumiHome, "plugins", `resource-${p.name}-v${p.version}`, `pulumi-resource-${p.name}`);
        if (!fs.existsSync(file)) missing.push(`the ${p.name} ${p.version} provider plugin (${file})`);
    }
    if (missing.length) {
        throw new Error(`the live suite runs the real Pulumi engine, and ${missing.join(", ")} ${missing.length > 1 ? "are" : "is"} missing: run 'bash tools/toolchain.sh'`);
    }
}

/**
 * The environment of every CLI run: plugins only from our PULUMI_HOME at their exact versions (no download, no
 * plugin found on PATH), no update check, and the passphrase that encrypts the test stacks' secrets.
 */
export function engineEnv(): Record<string, string> {
    return {
        PULUMI_HOME: pulumiHome,
        PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? "etcd-cluster-live-tests",
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        PULUMI_IGNORE_AMBIENT_PLUGINS: "true",
        PULUMI_DISABLE_REGISTRY_RESOLVE: "true",
    };
}
