/**
 * First onboarding, end to end, against the local emulator: Do-Not-Cancel on both subscriptions,
 * an Exchange vault pair in two non-paired regions, an RSA-HSM key in each vault, backups, and
 * the preflight report. Exit code 0 only if the report is ok. The output fits 100 columns: the
 * plan and the report print as terminal text here (their Markdown is for files and tickets).
 *
 *   node --import tsx examples/setup-and-validate.ts
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { runIfMain } from "./run-example.js";
import { formatPlanSummary } from "../src/cli/plan-summary.js";
import { formatReportTable } from "../src/cli/report-table.js";
import { wrapIndented } from "../src/cli/terminal-text.js";
import { startEmulator } from "../src/emulator/index.js";
import { CustomerKeyClient, type VaultPairSpec } from "../src/index.js";

export interface ExampleResult {
  ok: boolean;
  keyUris: string[];
  markdown: string;
}

const WIDTH = 100;

export async function main({ log = console.log }: { log?: (line: string) => void } = {}): Promise<ExampleResult> {
  /** A note under a step: indented, wrapped to the width. */
  const note = (text: string) => log(wrapIndented(text, WIDTH, "   ").join("\n"));
  const emulator = await startEmulator();
  const backupDirectory = await mkdtemp(path.join(tmpdir(), "customer-key-backups-"));
  try {
    // With real Azure: new CustomerKeyClient(new DefaultAzureCredential(), { tenantId }).
    // customerKeyClientOptions(): the emulator's tenant id, endpoints and agent in one object.
    const client = new CustomerKeyClient(emulator.credential(), { ...emulator.customerKeyClientOptions(), pollIntervalInMs: 50 });
    const [primarySubscription, secondarySubscription] = emulator.subscriptionIds as [string, string];

    log("1. Do-Not-Cancel (mandatory retention period) on both subscriptions");
    await Promise.all(
      [primarySubscription, secondarySubscription].map(async (subscriptionId) => {
        const poller = client.subscriptions.beginRegisterDoNotCancel(subscriptionId);
        await poller.poll();
        note(`${subscriptionId}: ${poller.operationState.featureState}. In reality Microsoft approves this in about five business days; the emulator approves it now.`);
        emulator.approveDoNotCancel(subscriptionId);
        const state = await poller.pollUntilDone();
        note(`${subscriptionId}: feature ${state.featureState}, Microsoft.KeyVault ${state.providerState}.`);
      }),
    );

    log("2. Exchange vault pair: premium, soft delete 90 days, purge protection, Exchange Online access");
    const names = client.vaultPairs.suggestVaultNames({ prefix: "contoso", workload: "exchange", geo: "eu" });
    const spec: VaultPairSpec = {
      workload: "exchange",
      permissionModel: "accessPolicy",
      administrators: [emulator.admin.userPrincipalName],
      // West Europe pairs with North Europe, Sweden Central with Sweden South: these two are not a pair.
      primary: { subscriptionId: primarySubscription, resourceGroup: "rg-customer-key-a", location: "westeurope", vaultName: names.primary },
      secondary: { subscriptionId: secondarySubscription, resourceGroup: "rg-customer-key-b", location: "swedencentral", vaultName: names.secondary },
      key: { name: "exo-root", size: 3072, protection: "hsm" },
    };
    const plan = await client.vaultPairs.plan(spec);
    log(formatPlanSummary(plan, { width: WIDTH - 3 }).trimEnd().replace(/^/gm, "   "));
    await client.vaultPairs.beginApply(plan);

    log("3. An RSA-HSM root key in each vault, backed up at once");
    const keyUris: string[] = [];
    for (const member of [spec.primary, spec.secondary]) {
      const vault = { subscriptionId: member.subscriptionId, resourceGroup: member.resourceGroup, vaultName: member.vaultName };
      const { key } = await client.keys.create(vault, spec.key!.name, { size: spec.key!.size, protection: spec.key!.protection });
      const backup = await client.backups.backupKey(key.id, { directory: backupDirectory });
      note(`${key.id} (${key.keyType} ${key.keySize}), backed up to ${backup.file}`);
      keyUris.push(key.id);
    }

    log("4. Preflight report");
    const report = await client.validate({ ...spec, backupDirectory });
    log(formatReportTable(report, { width: WIDTH }).trimEnd());
    log("");
    log("Key URIs for Microsoft's onboarding (New-CustomerKeyOnboardingRequest) and");
    log("New-DataEncryptionPolicy -AzureKeyIDs:");
    for (const uri of keyUris) note(uri);
    return { ok: report.ok, keyUris, markdown: report.toMarkdown() };
  } finally {
    await emulator.stop();
    await rm(backupDirectory, { recursive: true, force: true });
  }
}

runIfMain(import.meta.url, () => main());
