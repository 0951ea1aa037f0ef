/**
 * What one provider plugin of this package is: its package name and version (those the SDK asks the engine for),
 * its configuration, and a handler per resource type it models. The gRPC side (server.ts) does the protocol:
 * secrets, unknowns, check failures, diffs from the rules; a handler only performs, on plain values.
 */
import { TypeRule } from "./rules";
import { Props } from "./values";

export type Log = (line: string) => void;

export interface Created {
  id: string;
  /** Outputs the provider computes (the inputs are echoed by the server, secrets kept). */
  computed: Props;
}

/** What a refresh reads back: only the keys that were read; the server keeps the rest of the state as it is. */
export interface ReadBack {
  /** A new id when the provider's Read sets one (an image re-tagged under the same name). */
  id?: string;
  /** Inputs as the real provider would store them after reading (e.g. `mustRun: false` for a stopped container). */
  inputs?: Props;
  computed?: Props;
}

export interface ResourceHandler {
  rule: TypeRule;
  /** Outputs the SDK registers as additionalSecretOutputs for the type: returned as secrets. */
  secretOutputs?: readonly string[];
  /**
   * The real provider's defaults for inputs left unset (returned by Check and stored as the resource's inputs,
   * as the bridge does with the Terraform schema's defaults).
   */
  defaults?: Props;
  /** Defaults inside values (a port's `ip` and `protocol`), applied to known values only. */
  fill?(inputs: Props): Props;
  /** Validates plain, known inputs; throws (NotModelled or a plain Error) on what the plugin refuses. */
  validate(inputs: Props): void | Promise<void>;
  /** `urn`: the resource's URN (a provider that derives its id from the name reads it there). */
  create(inputs: Props, log: Log, urn?: string): Promise<Created>;
  /** Absent: the real provider's Read keeps the state (random, tls). `undefined`: the object is gone. */
  read?(id: string, inputs: Props, outputs: Props, log: Log): Promise<ReadBack | undefined>;
  /** Only for diffs that are not replacements; absent: every change is a state-only one. */
  update?(id: string, olds: Props, news: Props, changed: string[], log: Log, oldOutputs?: Props): Promise<Props>;
  /** Absent: deleting only forgets it (random, tls). */
  delete?(id: string, inputs: Props, outputs: Props, log: Log): Promise<void>;
}

export interface ProviderPlugin {
  /** The package name as the SDK registers it: `docker`, `random`, `tls`. */
  name: string;
  version: string;
  /** How a change of the provider's own configuration diffs. */
  configRule: TypeRule;
  /** Validates the provider configuration (plain, known values); throws on what is refused. */
  validateConfig(config: Props): void | Promise<void>;
  /** Receives the provider configuration (plain) before any resource call. */
  configure(config: Props, log: Log): Promise<void>;
  resources: Record<string, ResourceHandler>;
  /**
   * Provider functions (invokes) by token: arguments as they came (secrets wrapped), the result returned as it
   * should reach the program (secrets wrapped where they must stay secret). Any other token is refused.
   */
  functions?: Record<string, (args: Props, log: Log) => Promise<Props>>;
}
