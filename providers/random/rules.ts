/** Diff rules of the random types the component uses (see ../rules.ts for what each rule means). */
import { all, TypeRule } from "../rules";

/** @pulumi/random 4.21.x bridges hashicorp/terraform-provider-random v3.x. */
const RANDOM = "https://github.com/hashicorp/terraform-provider-random/blob/v3.9.0/internal/provider " +
  "(resource_id.go, resource_password.go: every argument RequiresReplace)";

export const RANDOM_STRING_KEYS = [
  "length", "keepers", "special", "upper", "lower", "numeric", "number", "minUpper", "minLower", "minNumeric",
  "minSpecial", "overrideSpecial",
];

export const randomRule = (keys: string[]): TypeRule => ({ source: RANDOM, deleteBeforeReplace: false, keys: all("replace", keys) });

export const randomIdRule = randomRule(["byteLength", "prefix", "keepers"]);
export const randomPasswordRule = randomRule(RANDOM_STRING_KEYS);
