/** `customer-key init`: writes a sample configuration to fill in. */
import { existsSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import { CliError } from "../cli-error.js";
import { DEFAULT_CONFIG_FILE } from "../cli-config.js";
import type { CliContext, RegisterCommand } from "../context.js";

/** JSON has no comments: each `//` field explains the one after it, and loading ignores none of them silently. */
export const SAMPLE_CONFIG = {
  $schema: "(the CLI's configuration; the SDK's onboarding configuration will replace it)",
  backupDirectories: ["./backups", "/mnt/offline/customer-key-backups"],
  vaultPairs: [
    {
      workload: "exchange",
      primary: { subscriptionId: "00000000-0000-0000-0000-000000000001", resourceGroup: "rg-customer-key-a", vaultName: "contoso-exo-eu-a1", keyName: "exo-root" },
      secondary: { subscriptionId: "00000000-0000-0000-0000-000000000002", resourceGroup: "rg-customer-key-b", vaultName: "contoso-exo-eu-b1", keyName: "exo-root" },
    },
  ],
};

export const registerInit: RegisterCommand = (program: Command, context: CliContext) => {
  program
    .command("init")
    .description("write a sample configuration file to fill in")
    .argument("[file]", "where to write it", DEFAULT_CONFIG_FILE)
    .option("--force", "overwrite an existing file")
    .addHelpText("after", "\nExample:\n  customer-key init customer-key.config.json\n\nThen fill in your subscriptions and vaults, and run `customer-key validate`.")
    .action((file: string, options: { force?: boolean }) => {
      if (existsSync(file) && !options.force) throw new CliError("ERR_CLI_CONFIG_INVALID", `${file} exists already.`, "Pass --force to overwrite it, or another file name.");
      writeFileSync(file, `${JSON.stringify(SAMPLE_CONFIG, null, 2)}\n`);
      context.io.err(`Wrote ${file}: one Exchange vault pair and two backup directories. Fill in your subscriptions and vaults.`);
    });
};
