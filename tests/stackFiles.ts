import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

/** A stack file's config the way the Pulumi CLI hands it to the program: `key → string`, structured values as JSON. */
export function loadStackConfig(stack: string): Record<string, string> {
    const file = path.join(__dirname, "..", "stacks", `Pulumi.${stack}.yaml`);
    const config = (parse(fs.readFileSync(file, "utf8")) as { config: Record<string, unknown> }).config;
    return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, typeof v === "object" ? JSON.stringify(v) : String(v)]));
}
