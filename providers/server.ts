/**
 * The gRPC server of a provider plugin (pulumirpc.ResourceProvider, proto/pulumi/provider.proto), on the
 * generated stubs that @pulumi/pulumi ships. Not `@pulumi/pulumi/provider`'s `main`: its server ignores
 * ConfigureRequest, so an explicit provider's configuration (a docker `host`) would never reach the plugin.
 *
 * The engine starts the plugin with flags (`--logtostderr`, `-v=N`, `--tracing <addr>`) and its own address last,
 * and reads the port the plugin listens on from its first line of stdout (sdk/go/common/resource/plugin/
 * plugin.go). Stderr lines are shown to the user, so the plugin logs only when the engine asks for logs.
 */
import * as grpc from "@grpc/grpc-js";
import * as anyproto from "google-protobuf/google/protobuf/any_pb";
import * as emptyproto from "google-protobuf/google/protobuf/empty_pb";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import * as plugproto from "@pulumi/pulumi/proto/plugin_pb";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import * as statusproto from "@pulumi/pulumi/proto/status_pb";
import { Log, ProviderPlugin, ResourceHandler } from "./plugin";
import { checkInputs, computedPart, diffInputs, DiffAnswer, Failure, mergeRead, outputsOf, validate } from "./protocol";
import { Props, unwrapSecrets } from "./values";

const toJs = (s: structproto.Struct | undefined): Props => (s ? (s.toJavaScript() as Props) : {});
/** JSON round trip first: a Struct cannot hold `undefined`. */
const toStruct = (p: Props) => structproto.Struct.fromJavaScript(JSON.parse(JSON.stringify(p)));

const KINDS: Record<string, provproto.PropertyDiff.Kind> = {
  ADD: provproto.PropertyDiff.Kind.ADD,
  ADD_REPLACE: provproto.PropertyDiff.Kind.ADD_REPLACE,
  DELETE: provproto.PropertyDiff.Kind.DELETE,
  DELETE_REPLACE: provproto.PropertyDiff.Kind.DELETE_REPLACE,
  UPDATE: provproto.PropertyDiff.Kind.UPDATE,
  UPDATE_REPLACE: provproto.PropertyDiff.Kind.UPDATE_REPLACE,
};

function diffResponse(d: DiffAnswer): provproto.DiffResponse {
  const resp = new provproto.DiffResponse();
  resp.setChanges(d.changed.length ? provproto.DiffResponse.DiffChanges.DIFF_SOME : provproto.DiffResponse.DiffChanges.DIFF_NONE);
  resp.setDiffsList(d.changed);
  resp.setReplacesList(d.replaces);
  resp.setDeletebeforereplace(d.deleteBeforeReplace);
  resp.setHasdetaileddiff(true);
  const detailed = resp.getDetaileddiffMap();
  for (const [k, kind] of Object.entries(d.detailed)) {
    const pd = new provproto.PropertyDiff();
    pd.setKind(KINDS[kind]);
    pd.setInputdiff(true);
    detailed.set(k, pd);
  }
  return resp;
}

function checkResponse(inputs: Props, failures: Failure[]): provproto.CheckResponse {
  const resp = new provproto.CheckResponse();
  resp.setInputs(toStruct(inputs));
  resp.setFailuresList(failures.map((f) => {
    const cf = new provproto.CheckFailure();
    cf.setProperty(f.property);
    cf.setReason(f.reason);
    return cf;
  }));
  return resp;
}

/**
 * A create that failed after the object was made (an error carrying `id`): the engine keeps it in the state with
 * the reason (ErrorResourceInitFailed in the status details, as `@pulumi/pulumi/provider/server.js` sends it).
 */
function initFailed(message: string, id: string, properties: Props): Partial<grpc.StatusObject> {
  const detail = new provproto.ErrorResourceInitFailed();
  detail.setId(id);
  detail.setProperties(toStruct(properties));
  detail.setReasonsList([message]);
  const any = new anyproto.Any();
  any.pack(detail.serializeBinary(), "pulumirpc.ErrorResourceInitFailed");
  const status = new statusproto.Status();
  status.setCode(grpc.status.UNKNOWN);
  status.setMessage(message);
  status.addDetails(any);
  const metadata = new grpc.Metadata();
  metadata.add("grpc-status-details-bin", Buffer.from(status.serializeBinary()));
  return { code: grpc.status.UNKNOWN, details: message, metadata };
}

type Handler<Req, Res> = (call: grpc.ServerUnaryCall<Req, Res>, callback: grpc.sendUnaryData<Res>) => void;

/** Starts the plugin's server on a free local port (`argv`: the engine's flags and address). */
export function startServer(plugin: ProviderPlugin, argv: string[]): Promise<{ server: grpc.Server; port: number }> {
  const verbose = argv.includes("--logtostderr") || argv.some((a) => /^-v=[1-9]/.test(a));
  // Never a value: a secret is only ever logged by a handler that logs it, and none does.
  const log: Log = verbose ? (line) => process.stderr.write(`${plugin.name}: ${line}\n`) : () => undefined;
  const handlerOf = (type: string): ResourceHandler => {
    const h = plugin.resources[type];
    if (!h) throw new Error(`the ${plugin.name} provider plugin of this package does not model resource type ${type}`);
    return h;
  };
  // Each request runs to an answer; a thrown error becomes the gRPC error the engine shows.
  const unary = <Req, Res>(f: (req: Req) => Promise<Res> | Res): Handler<Req, Res> => (call, callback) => {
    Promise.resolve()
      .then(() => f(call.request))
      .then((res) => callback(null, res), (e: any) => {
        if (e?.name === "InitFailed" && e.id) callback(initFailed(e.message, e.id, e.properties ?? {}) as grpc.ServiceError);
        else callback({ code: grpc.status.UNKNOWN, details: String(e?.message ?? e) } as grpc.ServiceError);
      });
  };
  const unimplemented = (what: string): Handler<any, any> => (_call, callback) =>
    callback({ code: grpc.status.UNIMPLEMENTED, details: `${plugin.name} provider plugin: ${what} is not implemented` } as grpc.ServiceError);

  const service: grpc.UntypedServiceImplementation = {
    handshake: unimplemented("Handshake"),
    parameterize: unimplemented("Parameterize"),
    getMapping: unimplemented("GetMapping"),
    getMappings: unimplemented("GetMappings"),
    construct: unimplemented("Construct"),
    call: unimplemented("Call"),
    invoke: unary(async (req: provproto.InvokeRequest) => {
      const f = plugin.functions?.[req.getTok()];
      if (!f) throw new Error(`the ${plugin.name} provider plugin of this package does not model function ${req.getTok()}`);
      const resp = new provproto.InvokeResponse();
      resp.setReturn(toStruct(await f(toJs(req.getArgs()), log)));
      return resp;
    }),
    streamInvoke: unimplemented("StreamInvoke"),
    list: unimplemented("List"),
    attach: unary(() => new emptyproto.Empty()),
    cancel: unary(() => new emptyproto.Empty()),
    getPluginInfo: unary(() => {
      const info = new plugproto.PluginInfo();
      info.setVersion(plugin.version);
      return info;
    }),
    getSchema: unary(() => {
      const resp = new provproto.GetSchemaResponse();
      resp.setSchema("{}");
      return resp;
    }),
    checkConfig: unary(async (req: provproto.CheckRequest) => {
      const news = toJs(req.getNews());
      return checkResponse(news, await validate(`${plugin.name} provider`, plugin.configRule, news, (c) => plugin.validateConfig(c)));
    }),
    diffConfig: unary((req: provproto.DiffRequest) => {
      const olds = req.hasOldInputs() ? toJs(req.getOldInputs()) : toJs(req.getOlds());
      return diffResponse(diffInputs(`${plugin.name} provider`, plugin.configRule, olds, toJs(req.getNews()), req.getIgnorechangesList()));
    }),
    configure: unary(async (req: provproto.ConfigureRequest) => {
      await plugin.configure(unwrapSecrets(toJs(req.getArgs())).value, log);
      const resp = new provproto.ConfigureResponse();
      resp.setAcceptsecrets(true);
      resp.setSupportspreview(false);
      resp.setAcceptresources(false);
      return resp;
    }),
    check: unary(async (req: provproto.CheckRequest) => {
      const { inputs, failures } = await checkInputs(req.getType(), handlerOf(req.getType()), toJs(req.getNews()));
      return checkResponse(inputs, failures);
    }),
    diff: unary((req: provproto.DiffRequest) => {
      const olds = req.hasOldInputs() ? toJs(req.getOldInputs()) : toJs(req.getOlds());
      return diffResponse(diffInputs(req.getType(), handlerOf(req.getType()).rule, olds, toJs(req.getNews()), req.getIgnorechangesList()));
    }),
    create: unary(async (req: provproto.CreateRequest) => {
      const h = handlerOf(req.getType());
      const inputs = toJs(req.getProperties());
      try {
        const { id, computed } = await h.create(unwrapSecrets(inputs).value, log, req.getUrn());
        const resp = new provproto.CreateResponse();
        resp.setId(id);
        resp.setProperties(toStruct(outputsOf(inputs, computed, h.secretOutputs)));
        return resp;
      } catch (e: any) {
        if (e?.name === "InitFailed") e.properties = outputsOf(inputs, {}, h.secretOutputs);
        throw e;
      }
    }),
    read: unary(async (req: provproto.ReadRequest) => {
      const h = handlerOf(req.getType());
      const inputs = toJs(req.getInputs());
      const outputs = toJs(req.getProperties());
      const resp = new provproto.ReadResponse();
      const read = h.read ? await h.read(req.getId(), unwrapSecrets(inputs).value, unwrapSecrets(outputs).value, log) : {};
      if (read === undefined) return resp; // gone: an empty id, and the engine drops the resource
      const merged = mergeRead(inputs, outputs, read, h.secretOutputs);
      resp.setId(read.id ?? req.getId());
      resp.setProperties(toStruct(merged.outputs));
      resp.setInputs(toStruct(merged.inputs));
      return resp;
    }),
    update: unary(async (req: provproto.UpdateRequest) => {
      const h = handlerOf(req.getType());
      const olds = toJs(req.getOlds());
      const oldInputs = req.hasOldInputs() ? toJs(req.getOldInputs()) : olds;
      const news = toJs(req.getNews());
      const d = diffInputs(req.getType(), h.rule, oldInputs, news, req.getIgnorechangesList());
      if (d.replaces.length) throw new Error(`${req.getType()}: an update cannot change ${d.replaces.join(", ")} (they replace)`);
      const computed = h.update
        ? await h.update(req.getId(), unwrapSecrets(oldInputs).value, unwrapSecrets(news).value, d.changed, log, unwrapSecrets(olds).value)
        : {};
      const resp = new provproto.UpdateResponse();
      resp.setProperties(toStruct(outputsOf(news, { ...computedPart(olds, oldInputs), ...computed }, h.secretOutputs)));
      return resp;
    }),
    delete: unary(async (req: provproto.DeleteRequest) => {
      const h = handlerOf(req.getType());
      const outputs = toJs(req.getProperties());
      const inputs = req.hasOldInputs() ? toJs(req.getOldInputs()) : outputs;
      if (h.delete) await h.delete(req.getId(), unwrapSecrets(inputs).value, unwrapSecrets(outputs).value, log);
      return new emptyproto.Empty();
    }),
  };

  const server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024 });
  server.addService(provrpc.ResourceProviderService, service);
  return new Promise((resolve, reject) => {
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve({ server, port })));
  });
}

/** The plugin's main: serves, and tells the engine the port on the first line of stdout. */
export async function serve(plugin: ProviderPlugin, argv: string[]): Promise<void> {
  const { port } = await startServer(plugin, argv);
  process.stdout.write(`${port}\n`);
}
