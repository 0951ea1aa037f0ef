/**
 * The resource monitor the program talks to: the Node SDK's own MockMonitor (so that every feature negotiation
 * and package registration behaves as under `pulumi.runtime.setMocks`), with RegisterResource,
 * RegisterResourceOutputs and Invoke taken over so that the engine sees everything the real engine sees: parent,
 * dependencies, property dependencies and resource options, which `setMocks`' `MockResourceArgs` drop.
 */
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import * as resproto from "@pulumi/pulumi/proto/resource_pb";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import { Registration } from "./types";

export interface RegistrationResult {
  urn: string;
  id: string;
  outputs: Record<string, any>;
}

export interface MonitorHandler {
  register(reg: Registration): Promise<RegistrationResult>;
  registerOutputs(urn: string, outputs: Record<string, any>): void;
  /** A provider function call; `provider` is the explicit provider reference ("" for the default one). */
  invoke(token: string, args: Record<string, any>, provider: string): Promise<Record<string, any>>;
}

/** The type part of a URN (`urn:pulumi:stack::project::<qualified type>::<name>`). */
export function qualifiedType(urn: string): string {
  return urn.split("::")[2];
}

/**
 * A URN as the engine builds it: the parent's qualified type, `$`, the type (pulumi/pulumi
 * `sdk/go/common/resource/urn.go`, NewURN, called with the parent's QualifiedType in the step generator).
 * The SDK's MockMonitor keeps only the parent's last type; the engine keeps the whole chain.
 */
export function makeUrn(stack: string, project: string, parentUrn: string | undefined, type: string, name: string): string {
  const t = parentUrn ? `${qualifiedType(parentUrn)}$${type}` : type;
  return `urn:pulumi:${stack}::${project}::${t}::${name}`;
}

const nameOf = (urn: string) => urn.split("::").slice(3).join("::");

function stripUndefined(v: unknown): any {
  return JSON.parse(JSON.stringify(v ?? {}));
}

export class EngineMonitor extends MockMonitor {
  /** Alias URNs per registered URN: children inherit their parent's (engine: step_generator.go, generateAliases). */
  private readonly aliasesOf = new Map<string, string[]>();

  constructor(private readonly handler: MonitorHandler, private readonly stack: string, private readonly project: string) {
    super({
      newResource: () => { throw new Error("unreachable: registerResource is handled by the stand-in engine"); },
      call: () => { throw new Error("unreachable: invoke is handled by the stand-in engine"); },
    });
  }

  /**
   * MockMonitor.invoke decodes the arguments and hands them to `mocks.call`, except `pulumi:pulumi:getResource`,
   * which it answers from a table that is empty here (registerResource is taken over): so the whole call is
   * taken over, every token going to the handler. A failure's message must be in `details`: the SDK rejects
   * with `new Error(err.details)`, the gRPC status message (sdk/nodejs/runtime/invoke.ts, invokeAsync), and
   * a plain Error has none, which left the program an empty message.
   */
  async invoke(req: any, callback: (err: any, resp: any) => void): Promise<void> {
    try {
      const args = rpc.deserializeProperties(req.getArgs());
      const result = await this.handler.invoke(req.getTok(), args, req.getProvider());
      const resp = new resproto.ResourceInvokeResponse();
      resp.setReturn(structproto.Struct.fromJavaScript(await rpc.serializeProperties("invoke result", stripUndefined(result))));
      callback(null, resp);
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      callback(Object.assign(e, { details: e.message }), undefined);
    }
  }

  async readResource(req: any, callback: (err: any, resp: any) => void): Promise<void> {
    callback(new Error(`the stand-in engine does not read or import resources (${req.getType()} ${req.getName()})`), undefined);
  }

  async registerResource(req: any, callback: (err: any, resp: any) => void): Promise<void> {
    try {
      const reg = this.decode(req);
      const result = await this.handler.register(reg);
      const resp = new resproto.RegisterResourceResponse();
      resp.setUrn(result.urn);
      resp.setId(result.id);
      resp.setObject(structproto.Struct.fromJavaScript(stripUndefined(result.outputs)));
      callback(null, resp);
    } catch (err) {
      callback(err, undefined);
    }
  }

  registerResourceOutputs(req: any, callback: (err: any, resp: any) => void): void {
    try {
      this.handler.registerOutputs(req.getUrn(), req.getOutputs()?.toJavaScript() ?? {});
      callback(null, {});
    } catch (err) {
      callback(err, undefined);
    }
  }

  private decode(req: any): Registration {
    const type: string = req.getType();
    const name: string = req.getName();
    const parent: string | undefined = req.getParent() || undefined;
    const refuse = (what: string) => {
      throw new Error(`${type} ${name}: the stand-in engine does not model the resource option ${what}`);
    };
    if (req.getImportid()) refuse("import");
    if (req.getReplaceWithList().length) refuse("replaceWith");
    if (req.getReplacementTrigger()) refuse("replacementTrigger");
    if (req.getHooks()) refuse("hooks");
    if (req.getRemote()) refuse("remote components (multi-language)");
    if (req.getTransformsList().length) refuse("transforms");
    const timeouts = req.getCustomtimeouts();
    if (timeouts && (timeouts.getCreate() || timeouts.getUpdate() || timeouts.getDelete())) refuse("customTimeouts");

    const urn = makeUrn(this.stack, this.project, parent, type, name);
    const propertyDependencies: Record<string, string[]> = {};
    req.getPropertydependenciesMap().forEach((deps: any, key: string) => {
      propertyDependencies[key] = deps.getUrnsList();
    });
    const aliasUrns = this.aliasUrns(req, urn, type, name, parent);
    this.aliasesOf.set(urn, aliasUrns);
    return {
      urn,
      type,
      name,
      custom: req.getCustom(),
      parent,
      provider: req.getProvider() || undefined,
      inputs: req.getObject()?.toJavaScript() ?? {},
      dependencies: req.getDependenciesList(),
      propertyDependencies,
      deleteBeforeReplace: req.getDeletebeforereplacedefined() ? req.getDeletebeforereplace() : undefined,
      retainOnDelete: req.hasRetainondelete?.() ? req.getRetainondelete() : Boolean(req.getRetainondelete()),
      protect: req.hasProtect?.() ? req.getProtect() : Boolean(req.getProtect()),
      ignoreChanges: req.getIgnorechangesList(),
      replaceOnChanges: req.getReplaceonchangesList(),
      deletedWith: req.getDeletedwith() || undefined,
      aliasUrns,
    };
  }

  /**
   * The URNs a resource may have had: its alias specs resolved against its parent (engine: step_generator.go,
   * generateAliases / the alias spec fields of resource.proto), plus, for every alias of its parent, the same
   * resource under that old parent, with the parent's old name put in place of a child name prefixed by the
   * parent's name (engine: inheritedChildAlias).
   */
  private aliasUrns(req: any, urn: string, type: string, name: string, parent: string | undefined): string[] {
    const out = new Set<string>();
    for (const a of req.getAliasesList()) {
      if (a.getUrn()) {
        out.add(a.getUrn());
        continue;
      }
      const spec = a.getSpec();
      if (!spec) continue;
      if ((spec.getStack() && spec.getStack() !== this.stack) || (spec.getProject() && spec.getProject() !== this.project)) {
        throw new Error(`${type} ${name}: the stand-in engine does not model aliases across stacks or projects`);
      }
      const aliasParent = spec.getNoparent() ? undefined : spec.getParenturn() || parent;
      out.add(makeUrn(this.stack, this.project, aliasParent, spec.getType() || type, spec.getName() || name));
    }
    for (const old of req.getAliasurnsList()) out.add(old);
    if (parent) {
      const parentName = nameOf(parent);
      for (const parentAlias of this.aliasesOf.get(parent) ?? []) {
        const oldParentName = nameOf(parentAlias);
        const childName = name.startsWith(parentName) ? oldParentName + name.slice(parentName.length) : name;
        out.add(`urn:pulumi:${this.stack}::${this.project}::${qualifiedType(parentAlias)}$${type}::${childName}`);
      }
    }
    out.delete(urn);
    return [...out];
  }
}
