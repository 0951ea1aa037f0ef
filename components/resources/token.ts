/** The cluster token (`--initial-cluster-token`): given, or generated once and kept in state. */
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

/**
 * The given token as it is (one from stack config is a secret already), or a generated one, kept in state so
 * updates never change the token of a running cluster, and a secret like a configured one.
 *
 * Earlier versions registered the generated one with `prefix: "<name>-"` and its `hex` was prefixed once more,
 * but the random provider already puts `prefix` in front of `hex`, so clusters created then run with
 * `<name>-<name>-<hex>`. That token is in every member's environment: changing it would replace every container.
 * So the RandomId has no `prefix` any more, but `ignoreChanges: ["prefix"]`: for an existing stack the engine
 * resets each ignored input to its value in state before diffing (`processIgnoreChanges` in pulumi/pulumi
 * pkg/resource/deploy/step_generator.go, through `PropertyPath.Reset` in sdk/go/common/resource/properties_path.go,
 * which also restores a value the new inputs lack), so the diff is empty, the stored `hex` (`<name>-<hex>`) comes
 * back and the token stays `<name>-<name>-<hex>`. A new stack gets `hex` = `<hex>` and the token `<name>-<hex>`.
 * https://www.pulumi.com/docs/iac/concepts/options/ignorechanges/
 */
export function createClusterToken(name: string, given: pulumi.Input<string> | undefined, parent: pulumi.Resource): pulumi.Output<string> {
    if (given !== undefined) return pulumi.output(given);
    const id = new random.RandomId(`${name}-token`, { byteLength: 8 }, { parent, ignoreChanges: ["prefix"] });
    return pulumi.secret(id.hex.apply((hex) => `${name}-${hex}`));
}
