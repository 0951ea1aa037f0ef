/**
 * What a command run by the command plugin gives back, and how its failure reads, the same for a local process and
 * a command over ssh (pulumi/pulumi-command v1.2.1, provider/pkg/provider/local/commandOutputs.go and
 * remote/commandOutputs.go, run).
 */

export interface Ran {
  /** The process's exit: "" when it exited 0, else the Go error text ("exit status 2", "Process exited with status 2"). */
  failure: string;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved as they arrived (run's stdouterrbuf, only used for the error message). */
  combined: string;
}

/** `strings.TrimSuffix(out, "\n")` in run: one trailing newline goes, no more. */
export const trimOutput = (s: string) => (s.endsWith("\n") ? s.slice(0, -1) : s);

/**
 * Go's `%q` of a string (strconv.Quote), which run uses to name the command in its error: escapes as Go writes
 * them, which JSON.stringify does not all share (\a, \v, \x7f, \x1b…).
 */
export function goQuote(s: string): string {
  const named: Record<string, string> = { "\x07": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v", '"': '\\"', "\\": "\\\\" };
  let out = "";
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (named[ch]) out += named[ch];
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return `"${out}"`;
}

/**
 * The error a failed command ends with: `fmt.Errorf("%w: running %q:\n%s", err, command, stdouterrbuf.String())`,
 * i.e. the exit, the command and its whole output, stdout and stderr interleaved.
 */
export class CommandFailed extends Error {
  constructor(readonly failure: string, command: string, combined: string) {
    super(`${failure}: running ${goQuote(command)}:\n${combined}`);
    this.name = "CommandFailed";
  }
}

/** The outputs of a run that succeeded; throws CommandFailed for one that did not. */
export function outputsOf(command: string, r: Ran): { stdout: string; stderr: string } {
  if (r.failure) throw new CommandFailed(r.failure, command, r.combined);
  return { stdout: trimOutput(r.stdout), stderr: trimOutput(r.stderr) };
}
