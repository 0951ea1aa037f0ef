/**
 * The stand-in engine's data: what a stack's state keeps per resource, what one registration carries, and what
 * a step of the plan is. Shapes follow Pulumi's own (`resource.State` in pulumi/pulumi `sdk/go/common/resource/
 * resource_state.go`; `RegisterResourceRequest` in `proto/pulumi/resource.proto`), reduced to what is modelled.
 */

/** One resource as a stack's state keeps it: enough to diff a later registration and to delete it. */
export interface ResourceState {
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  /** Provider id ("" for components). */
  id: string;
  parent?: string;
  /** `<provider URN>::<provider id>`, as the SDK sends it. */
  provider?: string;
  /** Inputs as registered (after ignoreChanges), secret wrappers kept. */
  inputs: Record<string, any>;
  /** Outputs as returned to the program, secret wrappers kept. */
  outputs: Record<string, any>;
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
  retainOnDelete: boolean;
  protect: boolean;
  deletedWith?: string;
  /** Set when a create failed after the provider made something (partial state): it must be deleted. */
  initErrors?: string[];
  /**
   * Deleted by a delete-before-replace whose create has not happened (yet): the state keeps it until the
   * replacement is created (step.go, DeleteStep.Apply sets PendingReplacement), even past a failed deployment.
   */
  pendingReplacement?: boolean;
}

/** What the program asked for in one RegisterResource call, decoded. */
export interface Registration {
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  parent?: string;
  provider?: string;
  inputs: Record<string, any>;
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
  /** undefined: the provider's default. */
  deleteBeforeReplace?: boolean;
  retainOnDelete: boolean;
  protect: boolean;
  ignoreChanges: string[];
  replaceOnChanges: string[];
  deletedWith?: string;
  /** URNs this resource may have had before (explicit aliases and those inherited from its parent's). */
  aliasUrns: string[];
}

/** `pulumi preview` vocabulary (pulumi/pulumi `pkg/resource/deploy/step.go`, StepOp). */
export type StepOp = "same" | "create" | "update" | "replace" | "delete-replace" | "delete" | "retain";

export interface PlanStep {
  op: StepOp;
  urn: string;
  type: string;
  name: string;
  /** Inputs whose change caused the update or replacement. */
  keys?: string[];
  /** Why, where it is not the resource's own diff (e.g. "dependent of etcd-n1"). */
  reason?: string;
}

/** What a performer gets to create or update a resource. */
export interface Target {
  urn: string;
  type: string;
  name: string;
  provider?: string;
  /** Inputs without secret wrappers. */
  inputs: Record<string, any>;
  /** Some input was secret: nothing of the inputs is logged. */
  secret: boolean;
}

export type DeleteOutcome = "destroyed" | "gone" | "nothing";

/** A create that failed after the provider made something: the state keeps it so that it is deleted later. */
export class PartialCreateError extends Error {
  constructor(message: string, readonly id: string, readonly outputs: Record<string, any>) {
    super(message);
    this.name = "PartialCreateError";
  }
}

/** Performs one resource type for real: what the provider's Create, Update and Delete do. */
export interface Performer {
  /** Outputs the provider computes (unknown in the preview of a create or a replacement). */
  computed: readonly string[];
  /** Returns the provider id and the outputs (inputs included, as providers echo them). */
  create(t: Target): Promise<{ id: string; outputs: Record<string, any> }>;
  /** Only called for diffs that are not replacements; `changed` are the keys that differ. */
  update(old: ResourceState, t: Target, changed: string[]): Promise<Record<string, any>>;
  /** `old` is the state: like the real engine, a delete knows only what the state kept. */
  delete(old: ResourceState): Promise<DeleteOutcome>;
}
