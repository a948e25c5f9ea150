/** The text of an onboarding plan, like `terraform plan`: one line per step, at most 100 columns. */
import type { OnboardingPlan, OnboardingStepKind } from "./types.js";

const WIDTH = 100;
const SIGN: Record<OnboardingStepKind, string> = { create: "+", update: "~", noop: " ", wait: "…", check: "?" };

function fit(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

export function formatPlan(plan: OnboardingPlan): string {
  const lines = [`Onboarding plan for tenant ${plan.config.tenantId} (${plan.createdAt})`];
  let heading = "";
  for (const step of plan.steps) {
    // The onboarding request runs after the backups but belongs to the keys phase: its own heading
    // instead of a second "keys:".
    const section = step.id.startsWith("microsoft/") ? "microsoft" : step.phase;
    if (section !== heading) {
      heading = section;
      lines.push("", `${heading}:`);
    }
    lines.push(fit(`  ${SIGN[step.kind]} ${step.kind.padEnd(6)} ${step.target}`, WIDTH));
    lines.push(fit(`             ${step.reason}`, WIDTH));
  }
  const s = plan.summary;
  lines.push("", fit(`${s.create} to create, ${s.update} to update, ${s.noop} unchanged, ${s.wait} waiting for Microsoft, ${s.check} checks.`, WIDTH));
  return lines.join("\n");
}
