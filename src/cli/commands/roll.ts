/** `customer-key roll <keyUri>`: a new key version moved through every workload that uses the key. */
import path from "node:path";
import type { Command } from "commander";
import { loadCliConfig } from "../cli-config.js";
import { CliError } from "../cli-error.js";
import { notes, withCommonOptions, type CommonOptions } from "../common-options.js";
import { connect } from "../connection.js";
import type { CliContext, RegisterCommand } from "../context.js";
import { describeRollState } from "../roll-progress.js";

interface RollOptions extends CommonOptions {
  backupDir?: string;
}

export const registerRoll: RegisterCommand = (program: Command, context: CliContext) => {
  withCommonOptions(
    program
      .command("roll")
      .description("roll a root key: new version, backup, refresh of every policy using it, wait until each reports it")
      .argument("<keyUri>", "versionless key URI, https://<vault>.vault.azure.net/keys/<name>")
      .option("--backup-dir <dir>", "where the new version's backup goes (default: the configuration's first)"),
    "customer-key roll https://contoso-exo-eu-a1.vault.azure.net/keys/exo-root --backup-dir ./backups",
  ).action(async (keyUri: string, options: RollOptions) => {
    const backupDirectory = options.backupDir ?? (await loadCliConfig(options.config)).backupDirectories[0];
    if (!backupDirectory) throw new CliError("ERR_BACKUP_DIRECTORY_REQUIRED", "No backup directory for the new version.", "Pass --backup-dir <dir>.");
    const say = notes(context, options);
    const connection = await connect(options);
    try {
      let last = "";
      const result = await connection.client.beginRollRootKey(keyUri, {
        backupDirectory: path.resolve(backupDirectory),
        ...(context.signal ? { abortSignal: context.signal } : {}),
        onProgress: (state) => {
          const line = describeRollState(state);
          if (line !== last) say((last = line));
        },
      });
      if (options.json) context.io.out(JSON.stringify(result, null, 2));
      else say(`rolled: ${result.previousKeyUri} → ${result.newKeyUri}`);
    } finally {
      await connection.close();
    }
  });
};
