/**
 * The preflight report as a terminal table that fits a width (100 columns by default); Markdown
 * (`report.toMarkdown()`) stays the format for files and tickets.
 */
import type { CheckStatus, PreflightCheck, Workload } from "../index.js";
import { oneLine, pad, textWidth, wrap, wrapIndented } from "./terminal-text.js";

/** What the table needs of a report: a `PreflightReport` or its `toJSON()`. */
export interface ReportTableInput {
  ok: boolean;
  workload: Workload;
  generatedAt: string;
  summary: Record<CheckStatus, number>;
  checks: readonly PreflightCheck[];
}

export interface ReportTableOptions {
  /** Terminal width in columns (default 100; at least 60). */
  width?: number;
}

const STATUS: Record<CheckStatus, string> = { pass: "PASS", fail: "FAIL", warn: "WARN", skip: "SKIP" };
const WORKLOAD_LABEL: Record<Workload, string> = {
  exchange: "Exchange Online",
  sharePoint: "SharePoint Online, OneDrive and Teams files",
  multiWorkload: "multi-workload (Microsoft 365 data at rest)",
};
const GAP = "  ";
const MIN_WIDTH = 60;

export function formatReportTable(report: ReportTableInput, options: ReportTableOptions = {}): string {
  const width = Math.max(MIN_WIDTH, Math.floor(options.width ?? 100));
  const s = report.summary;
  const lines: string[] = [
    ...wrap(`Customer Key preflight: ${WORKLOAD_LABEL[report.workload] ?? report.workload}`, width),
    ...wrap(
      `Result: ${report.ok ? "ready" : "NOT ready"}. ${s.pass} passed, ${s.fail} failed, ${s.warn} warnings, ${s.skip} skipped. ` +
        `Generated ${report.generatedAt}.`,
      width,
    ),
    "",
  ];

  // Columns: status | check id and title | target | evidence. An id is cut only past a third of the width.
  const statusWidth = textWidth("Status");
  const longestId = Math.max(5, ...report.checks.map((c) => textWidth(c.id)));
  const idWidth = Math.min(longestId, Math.floor(width / 3));
  const rest = width - statusWidth - idWidth - 3 * GAP.length;
  const targetWidth = Math.floor(rest * 0.4);
  const widths = [statusWidth, idWidth, targetWidth, rest - targetWidth];
  const row = (cells: string[][]) => {
    const height = Math.max(...cells.map((cell) => cell.length));
    for (let i = 0; i < height; i++) lines.push(cells.map((cell, col) => pad(cell[i] ?? "", widths[col]!)).join(GAP).trimEnd());
  };
  row([["Status"], ["Check"], ["Target"], ["Evidence"]]);
  lines.push(widths.map((w) => "-".repeat(w)).join(GAP));
  for (const c of report.checks) {
    row([[STATUS[c.status]], [...wrap(c.id, idWidth), ...wrap(c.title, idWidth)], wrap(c.target, widths[2]!), wrap(c.evidence, widths[3]!)]);
  }

  const todo = report.checks.filter((c) => (c.status === "fail" || c.status === "warn") && c.remediation);
  if (todo.length > 0) {
    lines.push("", "Remediation:");
    for (const c of todo) {
      lines.push("", ...wrapIndented(`${c.id} (${oneLine(c.target)})`, width, `${STATUS[c.status]} `));
      lines.push(...wrapIndented(c.remediation, width, "     "));
    }
  }
  return `${lines.join("\n")}\n`;
}
