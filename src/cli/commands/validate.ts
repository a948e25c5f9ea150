/** `customer-key validate`: the preflight report of every vault pair in the configuration. */
import type { Command } from "commander";
import { Option } from "commander";
import type { PreflightReport } from "../../index.js";
import { loadCliConfig } from "../cli-config.js";
import { withCommonOptions, type CommonOptions } from "../common-options.js";
import { connect } from "../connection.js";
import type { CliContext, RegisterCommand } from "../context.js";
import { EXIT_CHECKS_FAILED } from "../exit-codes.js";
import { formatReportTable } from "../report-table.js";

interface ValidateOptions extends CommonOptions {
  format: "text" | "md" | "json";
  microsoft365?: boolean;
}

export const registerValidate: RegisterCommand = (program: Command, context: CliContext) => {
  withCommonOptions(
    program
      .command("validate")
      .description("run the preflight checks on every vault pair of the configuration; exit 1 when one fails")
      .addOption(new Option("--format <format>", "report format").choices(["text", "md", "json"]).default("text"))
      .option("--microsoft365", "also check the Microsoft 365 policies (DEPs, assignments, SharePoint)"),
    "customer-key validate --config customer-key.config.json --microsoft365 --format md > report.md",
  ).action(async (options: ValidateOptions) => {
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
      const format = options.json ? "json" : options.format;
      if (format === "json") context.io.out(JSON.stringify(reports.map((r) => r.toJSON()), null, 2));
      else if (format === "md") context.io.out(reports.map((r) => r.toMarkdown()).join("\n"));
      else context.io.out(reports.map((r) => formatReportTable(r.toJSON()).trimEnd()).join("\n\n"));
      if (reports.some((r) => !r.ok)) context.exitCode = EXIT_CHECKS_FAILED;
    } finally {
      await connection.close();
    }
  });
};
