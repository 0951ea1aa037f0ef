/**
 * The stand-in engine's rules, without the lab: each row names the engine or provider source it follows.
 */
import { diffInputs } from "./engine/diff";
import { deleteInLayers, deleteLayers, dependentReplacements } from "./engine/deletes";
import { EngineEnv } from "./engine/engine";
import { watchAbandonedRegistrations } from "./engine/abandoned";
import { applyIgnoreChanges } from "./engine/values";
import { decide, stepState } from "./engine/decide";
import { Registration, ResourceState } from "./engine/types";

const CTR = "docker:index/container:Container";
const CMD = "command:local:Command";

describe("diff rules", () => {
  it.each([
    // kreuzwerker resource_docker_container.go: image, env, labels, ... are ForceNew; pulumi-docker resources.go: DeleteBeforeReplace
    [CTR, { image: "a" }, { image: "b" }, "replace", ["image"], true],
    [CTR, { envs: ["A=1"] }, { envs: ["A=2"] }, "replace", ["envs"], true],
    [CTR, { labels: [] }, { labels: [{ label: "x", value: "1" }] }, "replace", ["labels"], true],
    // resource_docker_container_funcs.go, resourceDockerContainerUpdate: ContainerUpdate of restart policy and resources
    [CTR, { restart: "no" }, { restart: "always" }, "update", [], true],
    [CTR, { memory: 100 }, { memory: 200 }, "update", [], true],
    // neither ForceNew nor applied by Update: only the state changes
    [CTR, { destroyGraceSeconds: 0 }, { destroyGraceSeconds: 30 }, "update", [], true],
    [CTR, { healthcheck: { tests: ["CMD", "a"] } }, { healthcheck: { tests: ["CMD", "b"] } }, "update", [], true],
    // kreuzwerker resource_docker_volume.go: every attribute ForceNew; not delete-before-replace
    ["docker:index/volume:Volume", { labels: [] }, { labels: [{ label: "x", value: "1" }] }, "replace", ["labels"], false],
    // pulumi-command: triggers replace, everything else updates in place
    [CMD, { triggers: ["a"] }, { triggers: ["b"] }, "replace", ["triggers"], false],
    [CMD, { create: "a" }, { create: "b" }, "update", [], false],
    // terraform-provider-random: every argument RequiresReplace
    ["random:index/randomId:RandomId", { byteLength: 8 }, { byteLength: 4 }, "replace", ["byteLength"], false],
    // terraform-provider-tls: early_renewal_hours only changes state
    ["tls:index/selfSignedCert:SelfSignedCert", { earlyRenewalHours: 1 }, { earlyRenewalHours: 2 }, "update", [], false],
    // the bridge's DiffConfig: no docker provider field forces replacement (pulumi-terraform-bridge provider.go)
    ["pulumi:providers:docker", { host: "ssh://a" }, { host: "ssh://b" }, "update", [], false],
    [CTR, { removeVolumes: true }, { removeVolumes: false }, "update", [], true],
    // values compare without secret wrappers and key order
    [CTR, { envs: ["A=1"], image: "i" }, { image: "i", envs: ["A=1"] }, "same", [], true],
  ])("%s %j → %j: %s", (type, olds, news, kind, replaceKeys, dbr) => {
    const d = diffInputs(type, olds, news);
    expect(d.kind).toBe(kind);
    expect(d.replaceKeys).toEqual(replaceKeys);
    expect(d.deleteBeforeReplace).toBe(dbr);
  });

  it("refuses to diff an input it has no rule for", () => {
    expect(() => diffInputs(CTR, { gpus: "a" }, { gpus: "b" })).toThrow(/cannot diff .* input 'gpus'/);
    expect(() => diffInputs("pulumi:providers:docker", { foo: "a" }, { foo: "b" })).toThrow(/cannot diff/);
    expect(() => diffInputs("x:y:Z", {}, {})).toThrow(/no diff rule for resource type x:y:Z/);
  });

  it("applies replaceOnChanges and the program's deleteBeforeReplace (step_generator.go)", () => {
    expect(diffInputs(CMD, { create: "a" }, { create: "b" }, { replaceOnChanges: ["create"] }).kind).toBe("replace");
    expect(diffInputs(CMD, { triggers: [1] }, { triggers: [2] }, { deleteBeforeReplace: true }).deleteBeforeReplace).toBe(true);
  });

  it.each([
    // step_generator.go processIgnoreChanges: the old value is kept; one absent before is dropped
    [["prefix"], { prefix: "a-", byteLength: 8 }, { byteLength: 8 }, { prefix: "a-", byteLength: 8 }],
    [["prefix"], { byteLength: 8 }, { prefix: "b-", byteLength: 8 }, { byteLength: 8 }],
    [[], { prefix: "a-" }, { prefix: "b-" }, { prefix: "b-" }],
  ])("ignoreChanges %j: %j then %j → %j", (ignore, olds, news, want) => {
    expect(applyIgnoreChanges(ignore, olds, news)).toEqual(want);
  });
});

const res = (urn: string, extra: Partial<ResourceState> = {}): ResourceState => ({
  urn, type: CTR, name: urn, custom: true, id: urn, inputs: {}, outputs: {}, dependencies: [], propertyDependencies: {},
  retainOnDelete: false, protect: false, ...extra,
});

describe("delete order and dependent replacements", () => {
  it.each([
    // ScheduleDeletes: dependents first; every dependency kind counts
    ["dependsOn", res("b", { dependencies: ["a"] }), [["b"], ["a"]]],
    ["parent", res("b", { parent: "a" }), [["b"], ["a"]]],
    ["provider", res("b", { provider: "a::id" }), [["b"], ["a"]]],
    ["property dependency", res("b", { propertyDependencies: { envs: ["a"] } }), [["b"], ["a"]]],
    ["deletedWith", res("b", { deletedWith: "a" }), [["b"], ["a"]]],
    ["no dependency: one layer", res("b"), [["b", "a"]]],
  ])("%s", (_why, b, layers) => {
    expect(deleteLayers([res("a"), b]).map((l) => l.map((r) => r.urn))).toEqual(layers);
  });

  it.each([
    // calculateDependentReplacements: a property dependency feeding a ForceNew input cascades
    ["envs from the replaced one", { propertyDependencies: { envs: ["a"] } }, ["b"]],
    // ... one feeding an in-place input does not
    ["memory from the replaced one", { propertyDependencies: { memory: ["a"] } }, []],
    // a plain dependsOn never cascades (pulumi/pulumi#838)
    ["dependsOn only", { dependencies: ["a"] }, []],
    ["provider replaced", { provider: "a::id" }, ["b"]],
    ["deletedWith", { deletedWith: "a" }, ["b"]],
  ])("%s", (_why, extra, want) => {
    const found = dependentReplacements("a", [res("a"), res("b", extra)], (t, k) => diffInputs(t, {}, { [k]: 1 }).kind === "replace");
    expect(found.map((r) => r.urn)).toEqual(want);
  });

  it("finds dependents of dependents, deepest first", () => {
    const state = [res("a"), res("b", { propertyDependencies: { envs: ["a"] } }), res("c", { propertyDependencies: { image: ["b"] } })];
    expect(dependentReplacements("a", state, () => true).map((r) => r.urn)).toEqual(["c", "b"]);
  });
});

const registration = (extra: Partial<Registration>): Registration => ({
  urn: "c", type: CMD, name: "c", custom: true, inputs: {}, dependencies: [], propertyDependencies: {}, retainOnDelete: false,
  protect: false, ignoreChanges: [], replaceOnChanges: [], aliasUrns: [], ...extra,
});

describe("a registration of a resource in state (decide, stepState)", () => {
  const old = res("c", { type: CMD, inputs: { create: "x", environment: { A: "1" }, triggers: [1] }, dependencies: ["a"], outputs: { stdout: "o" } });
  it.each([
    // step_generator.go diff/diffResource: only inputs are diffed; no steps → NewSameStep, which keeps the new
    // dependencies with the old id and outputs (step.go SameStep.Apply)
    ["dependsOn changed alone", { inputs: old.inputs, dependencies: ["b"] }, "same", old.inputs, ["b"]],
    // continueStepsFromImport: processIgnoreChanges before Check and diff
    ["an ignored input changed", { inputs: { ...old.inputs, environment: { A: "2" } }, ignoreChanges: ["environment"] }, "same", old.inputs, []],
    // ... and the update goes on with the old value of the ignored input
    ["ignored and updated inputs changed", { inputs: { create: "y", environment: { A: "2" }, triggers: [1] }, ignoreChanges: ["environment"] },
      "update", { create: "y", environment: { A: "1" }, triggers: [1] }, []],
    // continueStepsFromDiff, on replacement: Check(goal.Properties) again, so the replacement gets the program's value
    // continueStepsFromDiff: `old.PendingReplacement` (deleted by an unfinished delete-before-replace) replaces
    ["pending replacement, inputs unchanged", { inputs: old.inputs, dependencies: ["a"] }, "replace", old.inputs, ["a"], true],
    ["ignored input changed and replaced by triggers", { inputs: { create: "x", environment: { A: "2" }, triggers: [2] }, ignoreChanges: ["environment"] },
      "replace", { create: "x", environment: { A: "2" }, triggers: [2] }, []],
  ])("%s", (_why, extra, kind, inputs, dependencies, pending = false) => {
    const reg = registration(extra as Partial<Registration>);
    const d = decide(reg, { ...old, pendingReplacement: pending });
    expect(d.diff.kind).toBe(kind);
    expect(d.inputs).toEqual(inputs);
    const after = stepState(reg, d.inputs, old.id, old.outputs);
    expect(after.dependencies).toEqual(dependencies);
    expect(after.outputs).toBe(old.outputs);
  });
});

describe("what a delete calls (deleteInLayers)", () => {
  const calls: string[] = [];
  const env = {
    log: () => undefined, created: () => undefined, deleted: () => undefined, invoke: async () => ({}),
    performer: () => ({ computed: [], create: async () => ({ id: "", outputs: {} }), update: async () => ({}),
      delete: async (r: ResourceState) => { calls.push(r.urn); return "destroyed" as const; } }),
  } as EngineEnv;
  beforeEach(() => calls.splice(0));
  it.each([
    // step.go DeleteStep.Apply, isDeletedWith: one deleted with a resource deleted by the same operation makes no call
    ["deletedWith a resource deleted too", [res("a"), res("b", { deletedWith: "a" })], ["a"]],
    ["deletedWith a resource that stays", [res("b", { deletedWith: "a" })], ["b"]],
    // GenerateDeletes: a pending replacement not registered again is only removed (NewRemovePendingReplaceStep)
    ["pending replacement", [res("a", { pendingReplacement: true }), res("b")], ["b"]],
  ])("%s", async (_why, items, want) => {
    const done: string[] = [];
    expect(await deleteInLayers(items, env, (r) => done.push(r.urn))).toEqual([]);
    expect(calls).toEqual(want);
    expect(done.sort()).toEqual(items.map((r) => r.urn).sort());
  });
});

describe("registrations the SDK abandons (abandoned.ts)", () => {
  it("are reported when the SDK fails them (state.ts failPendingRegistration), and still failed as before", () => {
    // The whole path (an apply throwing into a resource input) cannot run under jest: the SDK re-throws it into
    // an unhandled rejection on purpose, which jest charges to the test.
    const sdkState = require("@pulumi/pulumi/runtime/state");
    const reported: string[] = [];
    const failed: unknown[] = [];
    watchAbandonedRegistrations((what, err) => reported.push(`${what.type} ${what.name}: ${(err as Error).message}`));
    const res = {};
    sdkState.getPendingResourceRegistrations().set(res, { type: CMD, name: "m", fail: (e: unknown) => failed.push(e) });
    sdkState.failPendingRegistration(res, new Error("refused"));
    expect(reported).toEqual([`${CMD} m: refused`]);
    expect(failed).toEqual([new Error("refused")]);
    expect(sdkState.getPendingResourceRegistrations().size).toBe(0);
  });
});
