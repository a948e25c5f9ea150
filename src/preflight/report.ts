/** The preflight report: JSON for tools, Markdown for a compliance ticket, HTML for people. */
import type { Workload } from "../rules/workloads.js";
import { InvalidInputError } from "../errors.js";
import { combineTopologies } from "./combine-topology.js";
import { reportHtml } from "./report-html.js";
import type { CheckStatus, PreflightCheck, PreflightHtmlOptions, PreflightReportJson, PreflightTopology } from "./types.js";

const ICON: Record<CheckStatus, string> = { pass: "PASS", fail: "FAIL", warn: "WARN", skip: "SKIP" };
const WORKLOAD_LABEL: Record<Workload, string> = { exchange: "Exchange Online", sharePoint: "SharePoint Online / OneDrive / Teams files", multiWorkload: "Multi-workload (M365 data at rest)" };

/** Makes text safe inside a Markdown table cell. */
function cell(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, "<br>");
}

/** What `client.validate` returns: every check with its status, evidence and remedy. */
export class PreflightReport {
  /** True when no check failed (warnings and skips do not fail the report). */
  readonly ok: boolean;
  /** Every check, in `CHECK_IDS` order, primary before secondary. */
  readonly checks: readonly PreflightCheck[];
  /** ISO 8601 time the report was made. */
  readonly generatedAt: string;
  /** The workload checked. */
  readonly workload: Workload;

  /** What the picture of `toHtml()` shows (tenant, subscriptions, vaults, key versions, policies); set by `client.validate`. */
  readonly topology: PreflightTopology | undefined;

  /**
   * @param workload - The workload checked.
   * @param checks - The checks, in report order.
   * @param generatedAt - When the report was made; default now.
   * @param topology - What the checks saw of the tenant, for the picture of `toHtml()`.
   */
  constructor(workload: Workload, checks: PreflightCheck[], generatedAt: Date = new Date(), topology?: PreflightTopology) {
    this.workload = workload;
    this.topology = topology;
    this.checks = Object.freeze(checks.map((c) => Object.freeze({ ...c })));
    this.ok = checks.every((c) => c.status !== "fail");
    this.generatedAt = generatedAt.toISOString();
  }

  /** Count of checks per status. */
  get summary(): Record<CheckStatus, number> {
    const counts: Record<CheckStatus, number> = { pass: 0, fail: 0, warn: 0, skip: 0 };
    for (const c of this.checks) counts[c.status]++;
    return counts;
  }

  /** Checks with that id (per-vault checks appear once per vault). */
  find(id: PreflightCheck["id"]): PreflightCheck[] {
    return this.checks.filter((c) => c.id === id);
  }

  /** The report as plain JSON. */
  toJSON(): PreflightReportJson {
    return { ok: this.ok, generatedAt: this.generatedAt, workload: this.workload, summary: this.summary, checks: this.checks.map((c) => ({ ...c })), ...(this.topology ? { topology: structuredClone(this.topology) } : {}) };
  }

  /**
   * The report as one self-contained HTML page: the result, a picture of the topology (inline SVG,
   * failing parts marked) and every check with its evidence and fix. The page loads nothing (its
   * Content-Security-Policy allows no fetch) and every name from the tenant is HTML-escaped.
   */
  toHtml(options: PreflightHtmlOptions = {}): string {
    const at = options.generatedAt instanceof Date ? options.generatedAt.toISOString() : options.generatedAt ?? this.generatedAt;
    return reportHtml({ title: options.title ?? `Customer Key preflight: ${WORKLOAD_LABEL[this.workload]}`, generatedAt: at, ok: this.ok, summary: this.summary, checks: this.checks, topology: this.topology });
  }

  /**
   * Several reports (e.g. one per vault pair of an onboarding) as one self-contained HTML page: one
   * picture of the whole tenant (every subscription, vault, key version and policy the reports saw,
   * each once) and every check, named by its workload. Loads nothing, as `toHtml()`.
   *
   * @param reports - The reports, in the order their checks are listed.
   * @param options - Title (default `Customer Key preflight: <workloads>`) and the time shown.
   */
  static combinedHtml(reports: readonly PreflightReport[], options: PreflightHtmlOptions = {}): string {
    if (!Array.isArray(reports) || reports.length === 0 || !reports.every((r) => r instanceof PreflightReport)) {
      throw new InvalidInputError("ERR_VALIDATION_TARGET_INVALID", "reports must be a non-empty array of PreflightReport (what client.validate returns).", { field: "reports" });
    }
    const checks = reports.flatMap((r) => r.checks.map((c) => ({ ...c, title: `${WORKLOAD_LABEL[r.workload]}: ${c.title}` })));
    const summary: Record<CheckStatus, number> = { pass: 0, fail: 0, warn: 0, skip: 0 };
    for (const c of checks) summary[c.status]++;
    const newest = reports.map((r) => r.generatedAt).sort().at(-1)!;
    const at = options.generatedAt instanceof Date ? options.generatedAt.toISOString() : options.generatedAt ?? newest;
    const title = options.title ?? `Customer Key preflight: ${reports.map((r) => WORKLOAD_LABEL[r.workload]).join(", ")}`;
    return reportHtml({ title, generatedAt: at, ok: reports.every((r) => r.ok), summary, checks, topology: combineTopologies(reports.map((r) => r.topology)) });
  }

  /** The report as a Markdown table with the remedies. */
  toMarkdown(): string {
    const s = this.summary;
    const lines = [
      `# Customer Key preflight: ${WORKLOAD_LABEL[this.workload]}`,
      "",
      `**Result: ${this.ok ? "ready" : "NOT ready"}** — ${s.pass} passed, ${s.fail} failed, ${s.warn} warnings, ${s.skip} skipped. Generated ${this.generatedAt}.`,
      "",
      "| Status | Check | Target | Evidence |",
      "|---|---|---|---|",
      ...this.checks.map((c) => `| ${ICON[c.status]} | \`${c.id}\` ${cell(c.title)} | ${cell(c.target)} | ${cell(c.evidence)} |`),
    ];
    const todo = this.checks.filter((c) => (c.status === "fail" || c.status === "warn") && c.remediation);
    if (todo.length > 0) {
      lines.push("", "## Remediation", "");
      for (const c of todo) lines.push(`- **${ICON[c.status]} \`${c.id}\`** (${cell(c.target)}): ${c.remediation.replace(/\r?\n/g, " ")}`);
    }
    return `${lines.join("\n")}\n`;
  }
}
