/**
 * The provider plugins of providers/ (docker, random, tls) under the real Pulumi engine, through the Automation
 * API with an inline program on lab host h1: a create, then an empty preview and an empty refresh (drift after a
 * refresh is a bug), a changed env (a replacement, delete-before-replace: the old container goes before the new
 * one comes), a changed memory limit (an update in place), a container stopped behind Pulumi's back (the refresh
 * reads it, the next update starts it) and a destroy. Names start with `plg-`, etcd listens on 26xxx.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as crypto from "node:crypto";
import * as docker from "@pulumi/docker";
import * as random from "@pulumi/random";
import * as tls from "@pulumi/tls";
import { EngineEvent, LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { DEFAULT_SERIES, docker as dockerCli, labHosts, mustRun, readLab } from "./lab";

jest.setTimeout(20 * 60_000);

const root = path.resolve(__dirname, "../..");
const lab = readLab();
const h1 = labHosts(lab, 1)[0];
const CONTAINER = "plg-etcd";
const VOLUME = "plg-etcd-data";
const CLIENT = "http://127.0.0.1:26379";

interface Settings {
    env: string;
    memory: number;
    sshOpts?: string[];
}

function program(s: Settings) {
    return async () => {
        const provider = new docker.Provider("plg-h1", { host: h1.dockerHost, sshOpts: s.sshOpts });
        const image = new docker.RemoteImage("plg-image", { name: lab.images[DEFAULT_SERIES], keepLocally: true }, { provider });
        const volume = new docker.Volume("plg-data", { name: VOLUME, labels: [{ label: "plg", value: "data" }] }, { provider, ignoreChanges: ["labels"] });
        const token = new random.RandomId("plg-token", { byteLength: 8 });
        const password = new random.RandomPassword("plg-password", { length: 20, special: false });
        const caKey = new tls.PrivateKey("plg-ca-key", { algorithm: "ECDSA", ecdsaCurve: "P256" });
        const ca = new tls.SelfSignedCert("plg-ca", {
            privateKeyPem: caKey.privateKeyPem, isCaCertificate: true, subject: { commonName: "plg CA" },
            validityPeriodHours: 24, allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
        });
        const key = new tls.PrivateKey("plg-key", { algorithm: "ECDSA", ecdsaCurve: "P256" });
        const csr = new tls.CertRequest("plg-csr", { privateKeyPem: key.privateKeyPem, subject: { commonName: "plg" }, ipAddresses: ["127.0.0.1"] });
        const cert = new tls.LocallySignedCert("plg-cert", {
            certRequestPem: csr.certRequestPem, caPrivateKeyPem: caKey.privateKeyPem, caCertPem: ca.certPem,
            validityPeriodHours: 24, allowedUses: ["digital_signature", "key_encipherment", "server_auth", "client_auth"],
        });
        const container = new docker.Container("plg-etcd", {
            name: CONTAINER,
            image: image.imageId,
            networkMode: "host",
            envs: token.hex.apply((hex) => [
                "ETCD_NAME=plg", "ETCD_DATA_DIR=/var/lib/etcd", `ETCD_INITIAL_CLUSTER_TOKEN=plg-${hex}`,
                `ETCD_LISTEN_CLIENT_URLS=${CLIENT}`, `ETCD_ADVERTISE_CLIENT_URLS=${CLIENT}`,
                "ETCD_LISTEN_PEER_URLS=http://127.0.0.1:26380", "ETCD_INITIAL_ADVERTISE_PEER_URLS=http://127.0.0.1:26380",
                "ETCD_INITIAL_CLUSTER=plg=http://127.0.0.1:26380", "ETCD_LISTEN_METRICS_URLS=http://127.0.0.1:26381", s.env,
            ]),
            volumes: [{ volumeName: volume.name, containerPath: "/var/lib/etcd" }],
            uploads: [
                { file: "/etc/plg/ca.pem", content: ca.certPem, permissions: "0644" },
                { file: "/etc/plg/server.pem", content: cert.certPem, permissions: "0644" },
                { file: "/etc/plg/server.key", content: key.privateKeyPem, permissions: "0600" },
            ],
            restart: "unless-stopped",
            memory: s.memory,
            labels: [{ label: "plg", value: "etcd" }],
            logDriver: "json-file",
            logOpts: { "max-size": "1m" },
            healthcheck: { tests: ["CMD", "/usr/local/bin/etcdctl", `--endpoints=${CLIENT}`, "endpoint", "health"], interval: "2s", timeout: "2s", retries: 5 },
            wait: true,
            waitTimeout: 60,
            stopTimeout: 30,
            destroyGraceSeconds: 5,
        }, { provider });
        return { containerId: container.id, containerName: container.name, imageId: image.imageId, token: token.hex, password: password.result, keyPem: key.privateKeyPem, certPem: cert.certPem, caPem: ca.certPem };
    };
}

/** The engine's steps, in the order it reported them: "<op> <resource name>". */
function steps(events: EngineEvent[]): string[] {
    return events.flatMap((e) => (e.resOutputsEvent ? [`${e.resOutputsEvent.metadata.op} ${e.resOutputsEvent.metadata.urn.split("::").pop()}`] : []));
}

const inspect = async (what: "container" | "volume", name: string) => {
    const r = await dockerCli(h1.dockerHost, what, "inspect", name);
    return r.code === 0 ? JSON.parse(r.stdout)[0] : undefined;
};

async function removeLeftovers(): Promise<void> {
    await dockerCli(h1.dockerHost, "rm", "-f", CONTAINER);
    await dockerCli(h1.dockerHost, "volume", "rm", VOLUME);
}

describe("provider plugins under the real engine", () => {
    let tmp: string;
    let stack: Stack;
    const settings: Settings = { env: "PLG_MARK=one", memory: 256 };
    const up = async () => {
        const events: EngineEvent[] = [];
        stack.workspace.program = program(settings);
        const r = await stack.up({ onEvent: (e) => events.push(e) });
        return { result: r, steps: steps(events) };
    };
    /** The stack's state as the file backend keeps it (`stack export` would decrypt the secrets). */
    const stateFile = () => {
        const dir = path.join(tmp, ".pulumi", "stacks", "plg");
        return fs.readFileSync(path.join(dir, fs.readdirSync(dir).find((f) => f.endsWith(".json"))!), "utf8");
    };
    /** After every deployment: nothing to do, and nothing drifted. */
    const quiet = async () => {
        await stack.preview({ expectNoChanges: true });
        await stack.refresh({ expectNoChanges: true });
    };

    beforeAll(async () => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "plg-"));
        const home = path.join(tmp, "pulumi-home");
        await mustRun("bash", [path.join(root, "providers/install.sh"), home], 180_000);
        await removeLeftovers();
        const pulumiCommand = await PulumiCommand.get({ root: path.join(root, ".toolchain"), skipVersionCheck: false });
        stack = await LocalWorkspace.createOrSelectStack({ stackName: "plg", projectName: "plg", program: program(settings) }, {
            workDir: tmp,
            pulumiHome: home,
            pulumiCommand,
            projectSettings: { name: "plg", runtime: "nodejs", backend: { url: `file://${tmp}` } },
            envVars: {
                PULUMI_CONFIG_PASSPHRASE: "plg",
                PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
                PULUMI_IGNORE_AMBIENT_PLUGINS: "true",
                PULUMI_SKIP_UPDATE_CHECK: "true",
            },
        });
    });

    afterAll(async () => {
        try {
            await stack?.destroy();
        } finally {
            await removeLeftovers();
            fs.rmSync(tmp, { recursive: true, force: true });
        }
    });

    it("previews a create with unknowns, creates, and then sees no change and no drift", async () => {
        const preview = await stack.preview();
        expect(preview.changeSummary).toMatchObject({ create: 12 });
        const { result } = await up();
        expect(result.summary.resourceChanges).toMatchObject({ create: 12 });
        const info = await inspect("container", CONTAINER);
        expect(info.State.Health.Status).toBe("healthy");
        expect(info.HostConfig.Memory).toBe(256 * 1024 * 1024);
        expect(info.Config.Env).toContain("PLG_MARK=one");
        expect(result.outputs.containerId.value).toBe(info.Id);
        expect(result.outputs.containerName.value).toBe(CONTAINER);
        // The key file is the secret output, with the mode asked for, and the certificate chains to the CA.
        expect(result.outputs.keyPem.secret).toBe(true);
        expect(result.outputs.password.secret).toBe(true);
        // The etcd image has no shell: the file comes back as a tar archive (its header holds the mode).
        const archive = await mustRun("docker", ["-H", h1.dockerHost, "cp", `${CONTAINER}:/etc/plg/server.key`, "-"]);
        expect(parseInt(archive.slice(100, 107), 8) & 0o7777).toBe(0o600);
        expect(archive).toContain(result.outputs.keyPem.value);
        const cert = new crypto.X509Certificate(result.outputs.certPem.value);
        expect(cert.verify(new crypto.X509Certificate(result.outputs.caPem.value).publicKey)).toBe(true);
        expect(cert.checkPrivateKey(crypto.createPrivateKey(result.outputs.keyPem.value))).toBe(true);
        // Secrets are encrypted in the state file, never in clear (booleans: a failure must not print the state).
        const state = stateFile();
        expect(state.includes("ciphertext")).toBe(true);
        expect(state.includes(result.outputs.keyPem.value.split("\n")[1])).toBe(false);
        expect(state.includes(result.outputs.password.value)).toBe(false);
        await quiet();
    });

    it("replaces the container on a new env, deleting the old one first, and keeps the volume", async () => {
        const before = await inspect("container", CONTAINER);
        settings.env = "PLG_MARK=two";
        const { result, steps: seen } = await up();
        expect(result.summary.resourceChanges).toMatchObject({ replace: 1 });
        // The engine reports the logical "replace" step between them: the old container is gone before the new one.
        const container = seen.filter((s) => s.endsWith(" plg-etcd"));
        expect(container).toEqual(["delete-replaced plg-etcd", "replace plg-etcd", "create-replacement plg-etcd"]);
        expect(seen.filter((s) => / plg-data$/.test(s))).toEqual(["same plg-data"]);
        const after = await inspect("container", CONTAINER);
        expect(after.Id).not.toBe(before.Id);
        expect(after.Config.Env).toContain("PLG_MARK=two");
        await quiet();
    });

    it("updates the memory limit in place", async () => {
        const before = await inspect("container", CONTAINER);
        settings.memory = 384;
        const { result, steps: seen } = await up();
        expect(result.summary.resourceChanges).toMatchObject({ update: 1 });
        expect(seen).toContain("update plg-etcd");
        const after = await inspect("container", CONTAINER);
        expect(after.Id).toBe(before.Id);
        expect(after.HostConfig.Memory).toBe(384 * 1024 * 1024);
        await quiet();
    });

    it("updates the provider for new ssh options and replaces nothing on it", async () => {
        const before = await inspect("container", CONTAINER);
        settings.sshOpts = ["-o", "ConnectTimeout=20"];
        const { result, steps: seen } = await up();
        expect(result.summary.resourceChanges).toMatchObject({ update: 1 });
        expect(seen.filter((s) => !s.startsWith("same "))).toEqual(["update plg-h1"]);
        expect((await inspect("container", CONTAINER)).Id).toBe(before.Id);
        await quiet();
    });

    it("reads a stopped container on refresh (mustRun false) and starts it on the next update", async () => {
        await mustRun("docker", ["-H", h1.dockerHost, "update", "--restart", "no", CONTAINER]);
        await mustRun("docker", ["-H", h1.dockerHost, "stop", CONTAINER], 60_000);
        const refresh = await stack.refresh();
        expect(refresh.summary.resourceChanges).toMatchObject({ update: 1 });
        // The restart policy read back and mustRun turned false: the update puts both back and starts it.
        const { result, steps: seen } = await up();
        expect(result.summary.resourceChanges).toMatchObject({ update: 1 });
        expect(seen).toContain("update plg-etcd");
        const info = await inspect("container", CONTAINER);
        expect(info.State.Running).toBe(true);
        expect(info.HostConfig.RestartPolicy.Name).toBe("unless-stopped");
        await quiet();
    });

    it("drops a container removed behind its back on refresh, and destroys the rest", async () => {
        await mustRun("docker", ["-H", h1.dockerHost, "rm", "-f", CONTAINER], 60_000);
        const refresh = await stack.refresh();
        expect(refresh.summary.resourceChanges).toMatchObject({ delete: 1 });
        const destroy = await stack.destroy();
        expect(destroy.summary.resourceChanges).toMatchObject({ delete: 11 });
        expect(await inspect("volume", VOLUME)).toBeUndefined();
        expect(await inspect("container", CONTAINER)).toBeUndefined();
    });
});
