/** A vault-pair plan as Markdown, for a person to read (or a change ticket) before apply. */
import type { PlanFinding, VaultPairPlan } from "./plan-types.js";
import { WORKLOAD_DISPLAY_NAMES } from "../../rules/workloads.js";

const symbol = { create: "+", update: "~", noop: "=" } as const;
const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

export function formatPlan(plan: VaultPairPlan): string {
  const { spec } = plan;
  const count = (k: string) => plan.changes.filter((c) => c.kind === k).length;
  const lines: string[] = [
    `# Customer Key vault pair plan: ${WORKLOAD_DISPLAY_NAMES[spec.workload]}`,
    "",
    `- Tenant: \`${plan.tenantId}\``,
    `- Permission model: ${spec.permissionModel === "rbac" ? "Azure RBAC" : "access policies"}`,
    `- Primary: \`${spec.primary.vaultName}\` in ${spec.primary.location} (subscription \`${spec.primary.subscriptionId}\`, resource group \`${spec.primary.resourceGroup}\`)`,
    `- Secondary: \`${spec.secondary.vaultName}\` in ${spec.secondary.location} (subscription \`${spec.secondary.subscriptionId}\`, resource group \`${spec.secondary.resourceGroup}\`)`,
    `- Planned at ${plan.createdAt}; fingerprint \`${plan.fingerprint}\``,
    "",
    `**${count("create")} to create, ${count("update")} to update, ${count("noop")} already in place.**` +
      (plan.problems.length ? ` **${plan.problems.length} problem(s) block apply.**` : ""),
    "",
  ];
  section(lines, "Problems (apply refuses this plan until they are fixed)", plan.problems);
  section(lines, "Warnings", plan.warnings);
  lines.push("## Changes", "", "| | Change | Target |", "|---|---|---|");
  for (const c of plan.changes) lines.push(`| ${symbol[c.kind]} | ${cell(c.description)} | \`${cell(c.target)}\` |`);
  lines.push("", "`+` create, `~` update, `=` no change", "");
  if (plan.resolved.principals.length) {
    lines.push("## Principals", "", "| Role | As written | Resolved to | Object id |", "|---|---|---|---|");
    for (const p of plan.resolved.principals) {
      lines.push(`| ${p.role} | ${cell(p.input)} | ${cell(p.userPrincipalName ?? p.displayName ?? p.kind)} | \`${p.objectId}\` |`);
    }
    lines.push("");
  }
  if (plan.notes.length) {
    lines.push("## Notes", "");
    for (const n of plan.notes) lines.push(`- ${n}`);
    lines.push("");
  }
  return lines.join("\n");
}

function section(lines: string[], title: string, findings: readonly PlanFinding[]): void {
  if (!findings.length) return;
  lines.push(`## ${title}`, "");
  for (const f of findings) lines.push(`- **${f.code}** (${f.target}): ${f.message}`);
  lines.push("");
}
