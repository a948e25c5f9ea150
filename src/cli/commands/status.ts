/** `customer-key status`: the tenant's policies, SharePoint's state and the key versions per workload. */
import type { Command } from "commander";
import { configuredKeys, loadCliConfig } from "../cli-config.js";
import { withCommonOptions, type CommonOptions } from "../common-options.js";
import { connect } from "../connection.js";
import type { CliContext, RegisterCommand } from "../context.js";
import { collectStatus, formatStatus } from "../tenant-status.js";

export const registerStatus: RegisterCommand = (program: Command, context: CliContext) => {
  withCommonOptions(
    program.command("status").description("show the data encryption policies, the multi-workload assignment, SharePoint's state and each root key's versions"),
    "customer-key status --state ./emulator-state.json --json",
  ).action(async (options: CommonOptions) => {
    const config = await loadCliConfig(options.config);
    const connection = await connect({ tenant: config.tenantId, ...options });
    try {
      const status = await collectStatus(connection.client, configuredKeys(config), context.signal);
      context.io.out(options.json ? JSON.stringify(status, null, 2) : formatStatus(status));
    } finally {
      await connection.close();
    }
  });
};
