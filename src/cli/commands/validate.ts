/** `customer-key validate`: the preflight report of every vault pair in the configuration. */
import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { Option } from "commander";
import { PreflightReport } from "../../index.js";
import { loadCliConfig } from "../cli-config.js";
import { CliError } from "../cli-error.js";
import { withCommonOptions, type CommonOptions } from "../common-options.js";
import { connect } from "../connection.js";
import type { CliContext, RegisterCommand } from "../context.js";
import { EXIT_CHECKS_FAILED } from "../exit-codes.js";
import { formatReportTable } from "../report-table.js";

interface ValidateOptions extends CommonOptions {
  format: "text" | "md" | "json" | "html";
  microsoft365?: boolean;
  out?: string;
}

export const registerValidate: RegisterCommand = (program: Command, context: CliContext) => {
  withCommonOptions(
    program
      .command("validate")
      .description("run the preflight checks on every vault pair of the configuration; exit 1 when one fails")
      .addOption(new Option("--format <format>", "report format").choices(["text", "md", "json", "html"]).default("text"))
      .option("--microsoft365", "also check the Microsoft 365 policies (DEPs, assignments, SharePoint)")
      .option("--out <file>", "write the report to this file instead of stdout"),
    "customer-key validate --config customer-key.config.yaml --microsoft365 --format html --out report.html",
  ).action(async (options: ValidateOptions) => {
    // --json keeps stdout for JSON: another format needs a file (checked before any request).
    const fileFormat = options.json && options.format !== "text" && options.format !== "json";
    if (fileFormat && !options.out) throw new CliError("ERR_CLI_OUTPUT_REQUIRED", `--json prints the report as JSON on stdout; --format ${options.format} needs a file.`, `Pass --out <file> for the ${options.format} report, or leave out --json.`);
    const config = await loadCliConfig(options.config);
    const connection = await connect({ tenant: config.tenantId, ...options });
    try {
      const reports: PreflightReport[] = [];
      for (const pair of config.vaultPairs) {
        const backupDirectory = config.backupDirectories[0];
        reports.push(
          await connection.client.validate({ ...pair, ...(backupDirectory ? { backupDirectory } : {}) }, {
            microsoft365: !!options.microsoft365,
            ...(context.signal ? { abortSignal: context.signal } : {}),
          }),
        );
      }
      const format = options.json && !fileFormat ? "json" : options.format;
      if (fileFormat) context.io.out(JSON.stringify(reports.map((r) => r.toJSON()), null, 2));
      const write = (text: string, file = options.out) => {
        if (!file) return context.io.out(text);
        writeFileSync(file, text.endsWith("\n") ? text : `${text}\n`);
        context.io.err(`Wrote ${file}`);
      };
      if (format === "json") write(JSON.stringify(reports.map((r) => r.toJSON()), null, 2));
      else if (format === "md") write(reports.map((r) => r.toMarkdown()).join("\n"));
      else if (format === "html") {
        // One self-contained page: every pair's checks and one picture of the whole tenant.
        write(reports.length === 1 ? reports[0]!.toHtml() : PreflightReport.combinedHtml(reports));
      } else write(reports.map((r) => formatReportTable(r.toJSON()).trimEnd()).join("\n\n"));
      if (reports.some((r) => !r.ok)) context.exitCode = EXIT_CHECKS_FAILED;
    } finally {
      await connection.close();
    }
  });
};
