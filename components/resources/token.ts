/** The cluster token (`--initial-cluster-token`): given, or generated once and kept in state. */
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

/** The given token, or a generated one: kept in state, so updates never change the token of a running cluster. */
export function createClusterToken(name: string, given: pulumi.Input<string> | undefined, parent: pulumi.Resource): pulumi.Output<string> {
    if (given !== undefined) return pulumi.output(given);
    return new random.RandomId(`${name}-token`, { byteLength: 8, prefix: `${name}-` }, { parent }).hex.apply((hex) => `${name}-${hex}`);
}
