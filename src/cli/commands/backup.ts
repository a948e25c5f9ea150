/** `customer-key backup`: back up root keys to one or more directories (copies online and offline). */
import path from "node:path";
import type { Command } from "commander";
import { parseKeyUri } from "../../rules/key-uris.js";
import { configuredKeys, loadCliConfig } from "../cli-config.js";
import { CliError } from "../cli-error.js";
import { notes, withCommonOptions, type CommonOptions } from "../common-options.js";
import { connect } from "../connection.js";
import type { CliContext, RegisterCommand } from "../context.js";

interface BackupOptions extends CommonOptions {
  key?: string[];
  to?: string[];
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export const registerBackup: RegisterCommand = (program: Command, context: CliContext) => {
  withCommonOptions(
    program
      .command("backup")
      .description("back up the root keys of the configuration (or the --key URIs) to every backup directory")
      .option("--key <uri>", "a key URI to back up instead of the configuration's keys (repeatable)", collect)
      .option("--to <dir>", "a backup directory instead of the configuration's (repeatable)", collect),
    "customer-key backup --state ./emulator-state.json --to ./backups --to /mnt/offline/backups",
  ).action(async (options: BackupOptions) => {
    // Every --key before any request: a bad one after a good one must not leave a backup half made.
    for (const uri of options.key ?? []) parseKeyUri(uri, "--key");
    const config = options.key && options.to ? undefined : await loadCliConfig(options.config);
    const directories = (options.to ?? config?.backupDirectories ?? []).map((d) => path.resolve(d));
    if (!directories.length) throw new CliError("ERR_BACKUP_DIRECTORY_REQUIRED", "No backup directory.", "Pass --to <dir> or list backupDirectories in the configuration.");
    const say = notes(context, options);
    const connection = await connect({ ...(config ? { tenant: config.tenantId } : {}), ...options });
    try {
      const keyUris = options.key ?? (await Promise.all(configuredKeys(config!).map((k) => connection.client.keys.getKeyUri(k.vault as never, k.keyName))));
      const written: { keyUri: string; file: string }[] = [];
      for (const keyUri of keyUris) {
        for (const directory of directories) {
          const backup = await connection.client.backups.backupKey(keyUri, { directory, ...(context.signal ? { abortSignal: context.signal } : {}) });
          written.push({ keyUri, file: backup.file });
          say(`${keyUri} → ${backup.file}`);
        }
      }
      if (options.json) context.io.out(JSON.stringify({ backups: written }, null, 2));
    } finally {
      await connection.close();
    }
  });
};
