/** A vault pair plan as terminal text that fits a width; `vaultPairs.formatPlan` (Markdown) stays for files. */
import type { VaultPairPlan } from "../index.js";
import { wrap, wrapIndented } from "./terminal-text.js";

const SYMBOL = { create: "+", update: "~", noop: "=" } as const;

export function formatPlanSummary(plan: VaultPairPlan, options: { width?: number } = {}): string {
  const width = Math.max(60, Math.floor(options.width ?? 100));
  const count = (kind: keyof typeof SYMBOL) => plan.changes.filter((c) => c.kind === kind).length;
  const { primary, secondary } = plan.spec;
  const lines = [
    ...wrap(
      `Plan: ${count("create")} to create, ${count("update")} to update, ${count("noop")} already in place` +
        (plan.problems.length ? `; ${plan.problems.length} problem(s) block apply.` : "."),
      width,
    ),
    ...wrapIndented(`${primary.vaultName} in ${primary.location}, resource group ${primary.resourceGroup}, subscription ${primary.subscriptionId}`, width, "Primary:   "),
    ...wrapIndented(`${secondary.vaultName} in ${secondary.location}, resource group ${secondary.resourceGroup}, subscription ${secondary.subscriptionId}`, width, "Secondary: "),
  ];
  for (const [title, findings] of [["Problems", plan.problems], ["Warnings", plan.warnings]] as const) {
    if (findings.length) lines.push(`${title}:`, ...findings.flatMap((f) => wrapIndented(`${f.code} (${f.target}): ${f.message}`, width, "  - ")));
  }
  lines.push("Changes (+ create, ~ update, = in place):", ...plan.changes.flatMap((c) => wrapIndented(c.description, width, `  ${SYMBOL[c.kind]} `)));
  if (plan.notes.length) lines.push("Notes:", ...plan.notes.flatMap((n) => wrapIndented(n, width, "  - ")));
  return `${lines.join("\n")}\n`;
}
