/**
 * The provider plugins' protocol decisions, pure: Check's defaults and refusals, Diff by the rules (secrets and
 * unknowns, sets, ignoreChanges, delete-before-replace), the outputs Create returns and what a Read leaves.
 */
import { checkInputs, diffInputs, mergeRead, outputsOf } from "../../../providers/protocol";
import { container, remoteImage, volume } from "../../../providers/docker/resources";
import { Engine } from "../../../providers/docker/config";
import { dockerProviderRule } from "../../../providers/docker/rules";
import { randomPlugin } from "../../../providers/random/main";
import { tlsPlugin } from "../../../providers/tls/main";
import { secretValue, UNKNOWN } from "../../../providers/values";

const engine = new Engine();
const containerHandler = container(engine);
const CONTAINER = "docker:index/container:Container";
const base = { name: "etcd-n1", image: "sha256:abc", networkMode: "host" };

describe("Check", () => {
    it("fills the real provider's defaults, inside ports too, and keeps secrets wrapped", async () => {
        const envs = secretValue(["A=1"]);
        const { inputs, failures } = await checkInputs(CONTAINER, containerHandler, { ...base, envs, ports: [{ internal: 2379, external: 12379 }] });
        expect(failures).toEqual([]);
        expect(inputs).toEqual({
            ...base, envs, ports: [{ internal: 2379, external: 12379, ip: "0.0.0.0", protocol: "tcp" }],
            start: true, wait: false, waitTimeout: 60, attach: false, logs: false, mustRun: true, restart: "no", removeVolumes: true, rm: false,
        });
    });

    it("keeps what the program set over a default", async () => {
        const { inputs } = await checkInputs(CONTAINER, containerHandler, { ...base, mustRun: false, restart: "always" });
        expect(inputs).toMatchObject({ mustRun: false, restart: "always" });
    });

    it.each([
        [CONTAINER, containerHandler, { ...base, user: "root" }, "the provider plugin does not model Container input 'user'"],
        [CONTAINER, containerHandler, { ...base, volumes: [{ hostPath: "/", containerPath: "/h" }] }, "does not model Container input 'volumes[].hostPath'"],
        ["docker:index/volume:Volume", volume(engine), { name: "v", driver: "local" }, "does not model Volume input 'driver'"],
        ["docker:index/remoteImage:RemoteImage", remoteImage(engine), { name: "etcd" }, "keepLocally: true only"],
        ["tls:index/privateKey:PrivateKey", tlsPlugin().resources["tls:index/privateKey:PrivateKey"], { algorithm: "RSA" }, "ECDSA P256 keys only, not RSA"],
        ["tls:index/privateKey:PrivateKey", tlsPlugin().resources["tls:index/privateKey:PrivateKey"], { algorithm: "ECDSA" }, "ECDSA P256 keys only, not ECDSA P224"],
        ["random:index/randomPassword:RandomPassword", randomPlugin().resources["random:index/randomPassword:RandomPassword"], { length: 8, bogus: 1 }, "does not model RandomPassword input 'bogus'"],
    ])("%s refuses what it does not model (case %#)", async (type, handler, news, reason) => {
        const { failures } = await checkInputs(type, handler, news);
        expect(failures).toHaveLength(1);
        expect(failures[0].reason).toContain(reason);
    });

    it("refuses a certificate the real provider refuses, with its reason", async () => {
        const cert = tlsPlugin().resources["tls:index/selfSignedCert:SelfSignedCert"];
        const { failures } = await checkInputs("tls:index/selfSignedCert:SelfSignedCert", cert, { privateKeyPem: "nope", validityPeriodHours: 1, allowedUses: [] });
        expect(failures[0].reason).toMatch(/must be a PEM private key/);
    });

    it("with unknowns (a preview) checks only the input names", async () => {
        expect((await checkInputs(CONTAINER, containerHandler, { ...base, envs: UNKNOWN, image: UNKNOWN })).failures).toEqual([]);
        expect((await checkInputs(CONTAINER, containerHandler, { ...base, envs: UNKNOWN, bogus: 1 })).failures)
            .toEqual([{ property: "bogus", reason: `the provider plugin does not model ${CONTAINER} input 'bogus'` }]);
    });
});

describe("Diff", () => {
    const rule = containerHandler.rule;
    const olds = { ...base, envs: ["A=1", "B=2"], memory: 256, mustRun: true, destroyGraceSeconds: 5 };

    it("nothing changed is no change, whatever the secret wrappers and the order of a set", () => {
        expect(diffInputs(CONTAINER, rule, olds, { ...olds, envs: secretValue(["B=2", "A=1"]) }).changed).toEqual([]);
    });

    it("a replace key replaces, delete-before-replace as pulumi-docker's default for containers", () => {
        expect(diffInputs(CONTAINER, rule, olds, { ...olds, envs: ["A=1", "B=3"] })).toEqual({
            changed: ["envs"], replaces: ["envs"], deleteBeforeReplace: true, detailed: { envs: "UPDATE_REPLACE" },
        });
    });

    it("an update key and a state key update in place", () => {
        const d = diffInputs(CONTAINER, rule, olds, { ...olds, memory: 384, destroyGraceSeconds: undefined });
        expect(d).toEqual({ changed: ["destroyGraceSeconds", "memory"], replaces: [], deleteBeforeReplace: false, detailed: { destroyGraceSeconds: "DELETE", memory: "UPDATE" } });
    });

    it("an unknown counts as a change: a replacement already in the preview, an update for an update key", () => {
        expect(diffInputs(CONTAINER, rule, olds, { ...olds, envs: [UNKNOWN, "B=2"] }).replaces).toEqual(["envs"]);
        const d = diffInputs(CONTAINER, rule, olds, { ...olds, memory: UNKNOWN });
        expect(d).toMatchObject({ changed: ["memory"], replaces: [] });
    });

    it("honours ignoreChanges (a refresh relies on it) and volumes replace create-first", () => {
        const v = volume(engine).rule;
        const old = { name: "d", labels: [{ label: "a", value: "1" }] };
        expect(diffInputs("Volume", v, old, { ...old, labels: [] }, ["labels"]).changed).toEqual([]);
        expect(diffInputs("Volume", v, old, { ...old, labels: [] })).toMatchObject({ replaces: ["labels"], deleteBeforeReplace: false });
    });

    it("refuses to diff an input it has no rule for", () => {
        expect(() => diffInputs(CONTAINER, rule, olds, { ...olds, gpus: "all" })).toThrow(/cannot diff .* input 'gpus'/);
    });

    it("a provider whose host or key changes is updated, never replaced", () => {
        const d = diffInputs("docker provider", dockerProviderRule, { host: "ssh://a" }, { host: "ssh://b", keyMaterial: secretValue("K") });
        expect(d).toMatchObject({ changed: ["host", "keyMaterial"], replaces: [] });
    });
});

describe("outputs and reads", () => {
    it("echoes the inputs as they came, secret outputs and secret inputs stay secret", () => {
        const out = outputsOf({ algorithm: "ECDSA", pin: secretValue("p") }, { privateKeyPem: "KEY", publicKeyPem: "PUB" }, ["privateKeyPem"]);
        expect(out).toEqual({ algorithm: "ECDSA", pin: secretValue("p"), privateKeyPem: secretValue("KEY"), publicKeyPem: "PUB" });
    });

    it("a read that finds what the state has changes nothing, nested secrets included", () => {
        const inputs = { name: "c", uploads: [{ file: "/k", content: secretValue("K") }], mustRun: true };
        const outputs = { ...inputs, exitCode: undefined, hostname: "h" };
        const merged = mergeRead(inputs, outputs, { inputs: { ...inputs, uploads: [{ file: "/k", content: "K" }] }, computed: { hostname: "h" } });
        expect(merged).toEqual({ inputs, outputs });
    });

    it("a stopped container reads back mustRun false and its exit code", () => {
        const inputs = { name: "c", mustRun: true, envs: secretValue(["A=1"]) };
        const merged = mergeRead(inputs, inputs, { inputs: { mustRun: false, envs: ["A=2"] }, computed: { exitCode: 137 } });
        expect(merged.inputs).toEqual({ name: "c", mustRun: false, envs: secretValue(["A=2"]) });
        expect(merged.outputs).toMatchObject({ mustRun: false, exitCode: 137 });
    });
});
