/**
 * Registrations the SDK abandons before they reach the monitor: an input, a dependency or the parent rejected
 * (an error thrown in an `apply` the resource takes an input from, a failed parent...). The SDK then rejects
 * the resource's outputs and re-throws into an unhandled rejection on purpose (sdk/nodejs/runtime/resource.ts,
 * registerResource's catch → state.ts failPendingRegistration; runAsyncResourceOp: "so that it triggers
 * unhandled rejection logic"), which the Node language host reports as a program error
 * (sdk/nodejs/cmd/run/run.ts, uncaughtHandler): the deployment fails and, the program having failed, the engine
 * deletes nothing. The stand-in cannot see unhandled rejections (jest keeps process events from tests, and
 * charges them to the running test), and without this watch it took the abandoned resources for resources the
 * program no longer has and deleted them after the program.
 *
 * The SDK keeps each registration in flight in the store's `pendingResourceRegistrations` map (an internal of
 * @pulumi/pulumi 3.270, runtime/state.ts) with the `fail` it calls when it abandons it: the map is replaced by
 * one that reports those calls.
 */

/** The SDK's runtime state (getStore is @internal: not in its typings). */
const sdkState = require("@pulumi/pulumi/runtime/state");

interface PendingRegistration {
  type?: string;
  name?: string;
  fail?: (err: unknown) => void;
}

/** Reports every registration the SDK abandons from now until the runtime's options are reset. */
export function watchAbandonedRegistrations(report: (what: { type: string; name: string }, err: unknown) => void): void {
  const store = sdkState.getStore();
  if (!(store.pendingResourceRegistrations instanceof Map)) {
    throw new Error("the stand-in engine needs @pulumi/pulumi's pendingResourceRegistrations (runtime/state.ts), absent here");
  }
  class Watched extends Map<unknown, PendingRegistration> {
    set(res: unknown, pending: PendingRegistration): this {
      const fail = pending.fail;
      pending.fail = (err: unknown) => {
        report({ type: pending.type ?? "(unknown type)", name: pending.name ?? "(unknown name)" }, err);
        fail?.(err);
      };
      return super.set(res, pending);
    }
  }
  store.pendingResourceRegistrations = new Watched(store.pendingResourceRegistrations);
}
