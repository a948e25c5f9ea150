/** `customer-key init`: writes a commented sample configuration (the SDK's onboarding configuration). */
import { existsSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import { parse as parseYaml } from "yaml";
import { CliError } from "../cli-error.js";
import type { CliContext, RegisterCommand } from "../context.js";
import { SAMPLE_CONFIG_YAML } from "../sample-config.js";

export const registerInit: RegisterCommand = (program: Command, context: CliContext) => {
  program
    .command("init")
    .description("write a commented sample configuration to fill in (YAML; a .json name writes JSON without comments)")
    .argument("[file]", "where to write it", "customer-key.config.yaml")
    .option("--force", "overwrite an existing file")
    .addHelpText("after", "\nExample:\n  customer-key init customer-key.config.yaml\n\nThen fill in your tenant, subscriptions and vaults, and run `customer-key plan`.")
    .action((file: string, options: { force?: boolean }) => {
      if (existsSync(file) && !options.force) throw new CliError("ERR_CLI_CONFIG_INVALID", `${file} exists already.`, "Pass --force to overwrite it, or give another file name.");
      const text = /\.json$/i.test(file) ? `${JSON.stringify(parseYaml(SAMPLE_CONFIG_YAML), null, 2)}\n` : SAMPLE_CONFIG_YAML;
      writeFileSync(file, text);
      context.io.err(`Wrote ${file}. Fill in your tenant, subscriptions and vaults, then run \`customer-key plan --config ${file}\`.`);
    });
};
