import * as pulumi from "@pulumi/pulumi";
import * as settings from "@pulumi/pulumi/runtime/settings";

/** Every resource the program registered, as the mock runtime saw it. */
export const created: pulumi.runtime.MockResourceArgs[] = [];

/** What the mocked `command.local.run` (the cluster survey) prints; empty: no cluster runs yet. */
export const mockSurvey = { output: "" };

/**
 * What a founding member's join command prints: its script is `printf '%s\n' '<lines>'` (shell-quoted). Other
 * commands print `report of <name>`.
 */
function commandStdout(name: string, create: unknown): string {
    const found = name.endsWith("-join") && typeof create === "string" ? /^printf '%s\\n' '((?:[^']|'\\'')*)'$/m.exec(create) : null;
    return found ? found[1].replace(/'\\''/g, "'") : `report of ${name}`;
}

/**
 * Mocks that echo inputs and fill the computed outputs the component reads (image ids, command stdout,
 * random hex), so wiring can be asserted without a Docker engine.
 */
export function installMocks(project = "etcd-cluster"): Promise<void> {
    return pulumi.runtime.setMocks({
        newResource(args) {
            created.push(args);
            const state: Record<string, unknown> = { ...args.inputs };
            if (args.type === "docker:index/remoteImage:RemoteImage") state.imageId = `sha256:${args.name}`;
            if (args.type === "command:local:Command") state.stdout = commandStdout(args.name, args.inputs.create);
            // Like the random provider: `hex` (and b64Std, b64Url, dec) start with `prefix` when one is given.
            if (args.type === "random:index/randomId:RandomId") state.hex = `${args.inputs.prefix ?? ""}c0ffee00`;
            if (args.type === "random:index/randomPassword:RandomPassword") state.result = `generated-password-of-${args.name}`;
            if (args.type === "tls:index/privateKey:PrivateKey") state.privateKeyPem = `-----BEGIN PRIVATE KEY-----${args.name}`;
            if (args.type === "tls:index/certRequest:CertRequest") state.certRequestPem = `-----BEGIN CERTIFICATE REQUEST-----${args.name}`;
            if (args.type === "tls:index/selfSignedCert:SelfSignedCert" || args.type === "tls:index/locallySignedCert:LocallySignedCert") {
                state.certPem = `-----BEGIN CERTIFICATE-----${args.name}`;
            }
            return { id: `${args.name}-id`, state };
        },
        call: (args) => (args.token === "command:local:run" ? { ...args.inputs, stdout: mockSurvey.output, stderr: "" } : args.inputs),
    }, project, "test", false);
}

/** An input's value, and whether it reached the engine as a secret (secretness covers the whole property). */
export function unwrap(v: unknown): { value: any; secret: boolean } {
    const wrapped = typeof v === "object" && v !== null && (v as Record<string, unknown>)[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig;
    return wrapped ? { value: (v as { value: unknown }).value, secret: true } : { value: v, secret: false };
}

export const promiseOf = <T>(o: pulumi.Output<T>): Promise<T> => new Promise((resolve) => o.apply(resolve));

export function ofType(type: string, from = created): pulumi.runtime.MockResourceArgs[] {
    return from.filter((r) => r.type === type);
}

/** The cluster-level commands (not a member's join, promote, gate, leave or data removal), by name. */
export function clusterCommands(from = created): string[] {
    return ofType("command:local:Command", from).map((c) => c.name).filter((n) => !/-(join|promote|gate|leave|data-removal)$/.test(n));
}

/** Waits until every member's last command (its leave, registered after the rollout order is known) is registered. */
export function settled(cluster: { members: Record<string, { leave: pulumi.CustomResource }> }): Promise<unknown> {
    return promiseOf(pulumi.all(Object.values(cluster.members).map((m) => m.leave.id)));
}

/**
 * Resolves once every registration started so far has reached the mocks. The SDK registers a resource
 * asynchronously, so `created` does not show it yet when its constructor returns or throws: a check for "nothing
 * was created" made right then passes whatever the program did. This is the SDK's own wait for its RPC queue to
 * drain before it disconnects (`waitForRPCs`, internal to the SDK, hence not in its typings).
 */
export function registrationsSettled(): Promise<void> {
    return (settings as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
}
