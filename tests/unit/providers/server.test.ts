/**
 * The plugins' gRPC server driven as the engine drives it (the generated client of pulumirpc.ResourceProvider):
 * plugin info, configuration, Check and Diff with secrets and unknowns, Create returning secret outputs, Read
 * keeping the state, and a refused type. random and tls need no Docker; the docker plugin is only configured.
 */
import * as grpc from "@grpc/grpc-js";
import * as emptyproto from "google-protobuf/google/protobuf/empty_pb";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import { startServer } from "../../../providers/server";
import { randomPlugin } from "../../../providers/random/main";
import { tlsPlugin } from "../../../providers/tls/main";
import { dockerPlugin } from "../../../providers/docker/main";
import { ProviderPlugin } from "../../../providers/plugin";
import { SECRET_SIG, secretValue, SPECIAL_SIG, UNKNOWN } from "../../../providers/values";

const servers: grpc.Server[] = [];
afterAll(() => servers.forEach((s) => s.forceShutdown()));

async function client(plugin: ProviderPlugin) {
    const { server, port } = await startServer(plugin, ["127.0.0.1:1"]);
    servers.push(server);
    const c = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const call = <Req, Res>(method: string, req: Req) => new Promise<Res>((resolve, reject) =>
        (c as any)[method](req, (err: Error | null, res: Res) => (err ? reject(err) : resolve(res))));
    return { call };
}

const struct = (o: object) => structproto.Struct.fromJavaScript(o as any);
const TOKEN = "random:index/randomId:RandomId";
const urn = (type: string, name: string) => `urn:pulumi:dev::plg::${type}::${name}`;

function checkReq(type: string, news: object): provproto.CheckRequest {
    const req = new provproto.CheckRequest();
    req.setUrn(urn(type, "r"));
    req.setType(type);
    req.setNews(struct(news));
    return req;
}

function diffReq(type: string, oldInputs: object, news: object, ignore: string[] = []): provproto.DiffRequest {
    const req = new provproto.DiffRequest();
    req.setUrn(urn(type, "r"));
    req.setType(type);
    req.setId("id");
    req.setOlds(struct({ ...oldInputs, computedOnly: "x" }));
    req.setOldInputs(struct(oldInputs));
    req.setNews(struct(news));
    req.setIgnorechangesList(ignore);
    return req;
}

describe("the provider plugins' gRPC server", () => {
    it("answers plugin info and configure as the engine needs (secrets accepted, no preview)", async () => {
        const { call } = await client(dockerPlugin());
        const info = await call<emptyproto.Empty, any>("getPluginInfo", new emptyproto.Empty());
        expect(info.getVersion()).toBe("5.2.0");
        const req = new provproto.ConfigureRequest();
        req.setArgs(struct({ host: "ssh://etcdlab@10.77.0.11", sshOpts: '["-o","ConnectTimeout=5"]', keyMaterial: secretValue("K") }));
        const res = await call<provproto.ConfigureRequest, provproto.ConfigureResponse>("configure", req);
        expect([res.getAcceptsecrets(), res.getSupportspreview()]).toEqual([true, false]);
        const bad = new provproto.ConfigureRequest();
        bad.setArgs(struct({ host: "ssh://h", registryAuth: '[{"address":"r"}]' }));
        await expect(call("configure", bad)).rejects.toThrow(/registryAuth/);
    });

    it("diffs the provider's own configuration as an update, never a replacement", async () => {
        const { call } = await client(dockerPlugin());
        const res = await call<provproto.DiffRequest, provproto.DiffResponse>("diffConfig", diffReq("pulumi:providers:docker", { host: "ssh://a" }, { host: "ssh://b" }));
        expect([res.getChanges(), res.getReplacesList()]).toEqual([provproto.DiffResponse.DiffChanges.DIFF_SOME, []]);
    });

    it("checks with defaults and failures, diffs unknowns and keeps computed outputs out of the diff", async () => {
        const { call } = await client(randomPlugin());
        const pw = "random:index/randomPassword:RandomPassword";
        const checked = await call<provproto.CheckRequest, provproto.CheckResponse>("check", checkReq(pw, { length: 12, special: false }));
        expect(checked.getFailuresList()).toEqual([]);
        expect(checked.getInputs()!.toJavaScript()).toMatchObject({ length: 12, special: false, upper: true, numeric: true });
        const refused = await call<provproto.CheckRequest, provproto.CheckResponse>("check", checkReq(pw, { length: 12, bogus: true }));
        expect(refused.getFailuresList().map((f) => f.getReason())).toEqual(["the provider plugin does not model RandomPassword input 'bogus'"]);

        const same = await call<provproto.DiffRequest, provproto.DiffResponse>("diff", diffReq(TOKEN, { byteLength: 8 }, { byteLength: 8 }));
        expect(same.getChanges()).toBe(provproto.DiffResponse.DiffChanges.DIFF_NONE);
        const unknown = await call<provproto.DiffRequest, provproto.DiffResponse>("diff", diffReq(TOKEN, { byteLength: 8 }, { byteLength: UNKNOWN }));
        expect([unknown.getChanges(), unknown.getReplacesList()]).toEqual([provproto.DiffResponse.DiffChanges.DIFF_SOME, ["byteLength"]]);
        expect(unknown.getDetaileddiffMap().get("byteLength")!.getKind()).toBe(provproto.PropertyDiff.Kind.UPDATE_REPLACE);
        const ignored = await call<provproto.DiffRequest, provproto.DiffResponse>("diff", diffReq(TOKEN, { byteLength: 8, prefix: "a-" }, { byteLength: 8 }, ["prefix"]));
        expect(ignored.getChanges()).toBe(provproto.DiffResponse.DiffChanges.DIFF_NONE);
    });

    it("creates with the SDK's secret outputs marked secret, and reads the state back unchanged", async () => {
        const { call } = await client(tlsPlugin());
        const type = "tls:index/privateKey:PrivateKey";
        const create = new provproto.CreateRequest();
        create.setUrn(urn(type, "k"));
        create.setType(type);
        create.setProperties(struct({ algorithm: "ECDSA", ecdsaCurve: "P256", rsaBits: 2048 }));
        const created = await call<provproto.CreateRequest, provproto.CreateResponse>("create", create);
        const outputs = created.getProperties()!.toJavaScript() as Record<string, any>;
        expect(outputs.privateKeyPem).toEqual({ [SPECIAL_SIG]: SECRET_SIG, value: expect.stringContaining("BEGIN EC PRIVATE KEY") });
        expect(outputs.publicKeyPem).toContain("BEGIN PUBLIC KEY");
        expect(outputs.algorithm).toBe("ECDSA");

        const read = new provproto.ReadRequest();
        read.setId(created.getId());
        read.setUrn(urn(type, "k"));
        read.setType(type);
        read.setProperties(created.getProperties());
        read.setInputs(struct({ algorithm: "ECDSA", ecdsaCurve: "P256", rsaBits: 2048 }));
        const res = await call<provproto.ReadRequest, provproto.ReadResponse>("read", read);
        expect(res.getId()).toBe(created.getId());
        expect(res.getProperties()!.toJavaScript()).toEqual(outputs);
    });

    it("refuses a resource type it does not model", async () => {
        const { call } = await client(randomPlugin());
        await expect(call("check", checkReq("random:index/randomUuid:RandomUuid", {}))).rejects.toThrow(/does not model resource type random:index\/randomUuid:RandomUuid/);
    });
});
