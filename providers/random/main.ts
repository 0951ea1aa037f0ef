/**
 * The `random` provider plugin (package random 4.21.2, the version @pulumi/random 4.21.2 asks for): RandomId
 * (the cluster token) and RandomPassword (the root password), the types the component uses. The real provider
 * (hashicorp/terraform-provider-random) computes the value once at create; every argument replaces; its Read
 * keeps the state, and a delete only forgets it: the same here.
 */
import { ProviderPlugin, ResourceHandler } from "../plugin";
import { checkKeys } from "../refuse";
import { all } from "../rules";
import { serve } from "../server";
import { computedPart } from "../protocol";
import { randomId, randomStringResult } from "./randomValues";
import { randomIdRule, randomPasswordRule, RANDOM_STRING_KEYS } from "./rules";

const randomIdHandler: ResourceHandler = {
  rule: randomIdRule,
  validate: (inputs) => void randomId(inputs),
  async create(inputs) {
    const r = randomId(inputs);
    return { id: r.id, computed: computedPart(r.state, inputs) };
  },
};

const randomPasswordHandler: ResourceHandler = {
  rule: randomPasswordRule,
  // resource_password.go's schema defaults: every character class on, no minimums.
  defaults: { special: true, upper: true, lower: true, numeric: true, number: true, minUpper: 0, minLower: 0, minNumeric: 0, minSpecial: 0 },
  // The SDK registers RandomPassword with additionalSecretOutputs ["bcryptHash", "result"].
  secretOutputs: ["result", "bcryptHash"],
  validate(inputs) {
    checkKeys("RandomPassword", inputs, RANDOM_STRING_KEYS);
    randomStringResult("RandomPassword", inputs);
  },
  async create(inputs) {
    // bcryptHash is not produced (no bcrypt in node:crypto) and nothing in the component reads it.
    return { id: "none", computed: { result: randomStringResult("RandomPassword", inputs) } };
  },
};

export function randomPlugin(): ProviderPlugin {
  return {
    name: "random",
    version: "4.21.2",
    // The random provider has no configuration of its own.
    configRule: { source: "terraform-provider-random: no provider arguments", deleteBeforeReplace: false, keys: all("update", ["version", "pluginDownloadURL"]) },
    validateConfig: (config) => checkKeys("random Provider", config, ["version", "pluginDownloadURL"]),
    async configure() {},
    resources: {
      "random:index/randomId:RandomId": randomIdHandler,
      "random:index/randomPassword:RandomPassword": randomPasswordHandler,
    },
  };
}

if (require.main === module) {
  serve(randomPlugin(), process.argv.slice(2)).catch((e) => {
    process.stderr.write(`random provider plugin: ${e?.stack ?? e}\n`);
    process.exit(1);
  });
}
