/** The plan as `pulumi preview` prints it: one line per step, with the inputs behind each update or replacement. */
import { PlanStep, StepOp } from "./types";

const SYMBOL: Record<StepOp, string> = {
  same: " ", create: "+", update: "~", replace: "+-", "delete-replace": "-+", delete: "-", retain: "-",
};

export function formatPlan(steps: PlanStep[]): string {
  return steps.map((s) => {
    const keys = s.keys?.length ? ` [${s.op === "update" ? "diff" : "replace"}: ${s.keys.join(", ")}]` : "";
    const why = s.reason ? ` (${s.reason})` : "";
    const retain = s.op === "retain" ? " [retain]" : "";
    return `${SYMBOL[s.op].padEnd(2)} ${s.type} ${s.name} ${s.op === "retain" ? "delete" : s.op}${keys}${retain}${why}`;
  }).join("\n");
}
