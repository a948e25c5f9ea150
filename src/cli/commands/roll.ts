/** `customer-key roll <keyUri>`: a new key version moved through every workload that uses the key. */
import { mkdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import type { Command } from "commander";
import { isCustomerKeyError } from "../../errors.js";
import { parseKeyUri } from "../../rules/key-uris.js";
import { replaceFileAtomic } from "../../store/backup-files.js";
import { loadCliConfig } from "../cli-config.js";
import { CliError } from "../cli-error.js";
import { notes, withCommonOptions, type CommonOptions } from "../common-options.js";
import { connect } from "../connection.js";
import type { CliContext, RegisterCommand } from "../context.js";
import { describeRollState } from "../roll-progress.js";

interface RollOptions extends CommonOptions {
  backupDir?: string;
  journal?: string;
}

export const registerRoll: RegisterCommand = (program: Command, context: CliContext) => {
  withCommonOptions(
    program
      .command("roll")
      .description("roll a root key: new version, backup, refresh of every policy using it, wait until each reports it")
      .argument("<keyUri>", "versionless key URI, https://<vault>.vault.azure.net/keys/<name>")
      .option("--backup-dir <dir>", "where the new version's backup goes (default: every backup directory of the configuration)")
      .option("--journal <file>", "where the roll records each step, so a stopped roll resumes (default: roll-<vault>-<key>.journal.json in the backup directory)"),
    "customer-key roll https://contoso-exo-eu-a1.vault.azure.net/keys/exo-root --backup-dir ./backups",
  ).action(async (keyUri: string, options: RollOptions) => {
    // The argument first: a malformed URI is the error to report, whatever else is missing.
    const key = parseKeyUri(keyUri, "keyUri");
    // Every configured directory gets the new version (the online and the offline copy), the first during the roll.
    const [configured, ...copies] = options.backupDir ? [options.backupDir] : (await loadCliConfig(options.config)).backupDirectories;
    if (!configured) throw new CliError("ERR_BACKUP_DIRECTORY_REQUIRED", "No backup directory for the new version.", "Pass --backup-dir <dir>.");
    const backupDirectory = path.resolve(configured);
    // Without it a roll stopped after its new version would, run again, make yet another one.
    const journal = path.resolve(options.journal ?? path.join(backupDirectory, `roll-${key.vaultName}-${key.keyName}.journal.json`));
    const resumeFrom = await readFile(journal, "utf8").catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return undefined;
      throw error;
    });
    const say = notes(context, options);
    const connection = await connect(options);
    let written: Promise<void> = mkdir(path.dirname(journal), { recursive: true }).then(() => undefined);
    try {
      if (resumeFrom) say(`Resuming the roll recorded in ${journal}.`);
      let last = "";
      const poller = beginRoll(
        () =>
          connection.client.beginRollRootKey(keyUri, {
            backupDirectory,
            ...(resumeFrom ? { resumeFrom } : {}),
            ...(context.signal ? { abortSignal: context.signal } : {}),
            onProgress: (state) => {
              const line = describeRollState(state);
              if (line !== last) say((last = line));
            },
          }),
        journal,
      );
      poller.onProgress(() => {
        // serialize() reads the state now; the writes go out one after the other.
        const text = poller.serialize();
        written = written.then(async () => replaceFileAtomic(journal, new TextEncoder().encode(await text)));
      });
      const result = await poller.finally(() => written);
      for (const directory of copies) {
        const copy = await connection.client.backups.backupKey(result.newKeyUri, { directory: path.resolve(directory), ...(context.signal ? { abortSignal: context.signal } : {}) });
        say(`backed up to ${copy.file}`);
      }
      await rm(journal, { force: true });
      if (options.json) context.io.out(JSON.stringify(result, null, 2));
      else say(`rolled: ${result.previousKeyUri} → ${result.newKeyUri}`);
    } finally {
      await written.catch(() => undefined);
      await connection.close();
    }
  });
};

/** A journal that is not a roll's state of this key: say which file, and what to do. */
function beginRoll<T>(begin: () => T, journal: string): T {
  try {
    return begin();
  } catch (error) {
    if (isCustomerKeyError(error) && error.code === "ERR_POLLER_STATE_INVALID") {
      throw new CliError("ERR_POLLER_STATE_INVALID", `The journal ${journal} does not hold a roll of this key: ${error.message}`, `Pass the right --journal, or delete ${journal} to start a new roll.`);
    }
    throw error;
  }
}
