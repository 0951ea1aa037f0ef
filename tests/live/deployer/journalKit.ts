/**
 * What the stand-in engine's whole-deployment tests share: a scratch directory per test with a journal file,
 * local commands that write what they do to it, and the steps of the last deployment.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { LiveDeployer } from "./liveDeployer";

export interface JournalKit {
  /** The scratch directory of the running test. */
  readonly dir: string;
  /** The journal file of the running test. */
  readonly journal: string;
  /** The journal's lines, trimmed, without empty ones. */
  entries(): string[];
  /** Empties the journal (between deployments). */
  reset(): void;
  /** A command that writes "create NAME $TAG" / "delete NAME prev=$PULUMI_COMMAND_STDOUT" to the journal. */
  logged(name: string, args?: Partial<command.local.CommandArgs>, opts?: pulumi.CustomResourceOptions): command.local.Command;
}

/** Registers the per-test scratch directory (beforeEach/afterEach) and returns the helpers. */
export function journalKit(): JournalKit {
  let dir = "";
  let journal = "";
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "engine-steps-"));
    journal = path.join(dir, "journal");
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  return {
    get dir() { return dir; },
    get journal() { return journal; },
    reset: () => fs.writeFileSync(journal, ""),
    entries: () => (fs.existsSync(journal) ? fs.readFileSync(journal, "utf8").split("\n").map((l) => l.trim()).filter(Boolean) : []),
    logged: (name, args = {}, opts = {}) => new command.local.Command(name, {
      create: `echo "create ${name} $TAG" >> ${journal}; echo out-${name}`,
      delete: `echo "delete ${name} prev=$PULUMI_COMMAND_STDOUT" >> ${journal}`,
      ...args,
    }, opts),
  };
}

/** The steps, in the order the engine took them where `ordered`, else sorted (independent steps run in parallel). */
export function ops(d: LiveDeployer, ordered = false): string[] {
  const all = d.plan.map((s) => `${s.op} ${s.name}`);
  return ordered ? all : all.sort();
}
