/** What every performer shares: the log, the Docker hosts of the stack's providers, bounds, scratch space. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DockerHost } from "../dockerHost";
import { ResourceState, Target } from "../engine/types";

export class PerformerContext {
  /** Docker hosts by provider id (the part of a provider reference after the last `::`). */
  readonly hosts = new Map<string, DockerHost>();
  private readonly tmpDirs: string[] = [];

  constructor(readonly log: (line: string) => void, readonly commandTimeoutMs: number) {}

  /** The host of a docker resource's explicit provider; the default provider is refused (it would be the local engine). */
  hostFor(r: Target | ResourceState): DockerHost {
    const ref = r.provider ?? "";
    const sep = ref.lastIndexOf("::");
    const host = sep >= 0 ? this.hosts.get(ref.slice(sep + 2)) : undefined;
    if (!host || /::pulumi:providers:docker::default(_[0-9_]+)?$/.test(ref.slice(0, sep))) {
      throw new Error(
        `${r.type} ${r.name} has no explicit docker provider created in this deployment ` +
          `(provider=${JSON.stringify(ref)}); the live deployer never uses the default provider: pass { provider }`,
      );
    }
    return host;
  }

  tmpDir(): string {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), "live-deployer-"));
    this.tmpDirs.push(d);
    return d;
  }

  /** Removes scratch files; called once a destroy left nothing behind. */
  cleanup(): void {
    for (const d of this.tmpDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  }
}

/** Refuses input keys a performer does not implement, so nothing the program set is silently ignored. */
export function checkKeys(what: string, inputs: Record<string, any>, allowed: readonly string[]): void {
  for (const [k, v] of Object.entries(inputs)) {
    if (v === undefined || k.startsWith("__")) continue;
    if (!allowed.includes(k)) throw new Error(`the live deployer does not support ${what} input '${k}'`);
  }
}

/** An update whose changed keys only live in the state (the provider makes no call): the new inputs are echoed. */
export function stateOnlyUpdate(old: ResourceState, t: Target): Record<string, any> {
  return { ...old.outputs, ...t.inputs };
}
