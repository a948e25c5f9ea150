/**
 * Scenario 3, the yearly key roll, Azure half: a new version of the primary key, backed up at once;
 * the old version stays (Microsoft 365 still unwraps with it until every policy has moved on).
 *
 * The Microsoft 365 half (every DEP using the key refreshed, SharePoint's policy rolled, each
 * workload confirmed) is `client.beginRollRootKey`: see key-roll-all-workloads.ts.
 *
 *   node --import tsx examples/key-roll.ts
 */
import { runIfMain } from "./run-example.js";
import { KEY_NAME, startScenario } from "./shared-setup.js";

export interface KeyRollResult {
  ok: boolean;
  previousKeyId: string;
  currentKeyId: string;
  /** Every version id of the key after the roll. */
  versions: string[];
}

export async function main({ log = console.log }: { log?: (line: string) => void } = {}): Promise<KeyRollResult> {
  const scenario = await startScenario();
  const { client, spec, primary, backupDirectory } = scenario;
  try {
    log(`1. Roll the primary key ${scenario.keyUris[0]}`);
    // Against Azure: a createKey on the same name (same type, size and operations), then a backup.
    // Only the primary: the secondary is rolled on another day, never both at once.
    const rolled = await client.keys.roll(scenario.keyUris[0]!, { backupDirectory });
    log(`   old: ${rolled.previousKeyId}`);
    log(`   new: ${rolled.currentKeyId}`);
    log(`   backed up at once to ${rolled.backup?.file}`);

    log("2. Verify the backups against the live keys");
    const verified = await client.backups.verify(backupDirectory);
    for (const f of verified.files) log(`   ${f.status.padEnd(6)} ${f.file}: ${f.detail}`);
    // The pre-roll backup lacks the new version ("stale"): intact, still able to restore the key as it
    // was, so not an error as long as a newer backup of the same key is "ok".
    const stale = verified.files.filter((f) => f.status === "stale");
    const current = verified.files.find((f) => f.file === rolled.backup?.file);

    log("3. The old version still exists (customer-key never deletes one)");
    const versions: string[] = [];
    for await (const v of client.keys.listVersions(primary, KEY_NAME)) versions.push(v.id);
    versions.sort();
    for (const id of versions) log(`   ${id}${id === rolled.currentKeyId ? "  (current)" : ""}`);
    const old = await client.keys.get(primary, KEY_NAME, { version: rolled.previousKeyId.split("/").at(-1)! });
    log(`   old version enabled: ${old.enabled}`);

    log("4. Preflight report after the roll");
    const report = await client.validate({ ...spec, backupDirectory });
    log(report.toMarkdown());

    const ok =
      rolled.currentKeyId !== rolled.previousKeyId &&
      verified.ok && current?.status === "ok" && stale.length === 1 &&
      versions.includes(rolled.previousKeyId) && versions.includes(rolled.currentKeyId) && old.enabled &&
      report.ok;
    return { ok, previousKeyId: rolled.previousKeyId, currentKeyId: rolled.currentKeyId, versions };
  } finally {
    await scenario.stop();
  }
}

runIfMain(import.meta.url, () => main());
