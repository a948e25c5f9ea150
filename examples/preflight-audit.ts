/**
 * Scenario 2, preflight / audit: a security engineer with read-only access points customer-key at
 * an existing vault pair and gets one report for the compliance ticket. The pair here has one
 * deliberate problem: someone added an access policy that lets a user delete keys.
 *
 *   node --import tsx examples/preflight-audit.ts
 */
import { runIfMain } from "./run-example.js";
import { clientFor, rawVaultManagement, startScenario } from "./shared-setup.js";

/** Azure's built-in Reader role: reads every resource, changes none, opens no key. */
const READER_ROLE_ID = "acdd72a7-3385-48ef-bd42-f606fba81ae7";

export interface AuditResult {
  ok: boolean;
  failing: string[];
  mutatingRequests: number;
  markdown: string;
}

export async function main({ log = console.log }: { log?: (line: string) => void } = {}): Promise<AuditResult> {
  const scenario = await startScenario();
  const { emulator, spec, primary, secondary, backupDirectory } = scenario;
  try {
    log("Set-up (done by others, before the audit):");
    // The deliberate problem: carol gets delete through the plain ARM client (customer-key would refuse).
    const carol = emulator.directory.createUser({ userPrincipalName: "carol", displayName: "Carol" });
    await rawVaultManagement(emulator, primary.subscriptionId).vaults.updateAccessPolicy(primary.resourceGroup, primary.vaultName, "add", {
      properties: { accessPolicies: [{ tenantId: emulator.tenantId, objectId: carol.objectId, permissions: { keys: ["get", "list", "delete"] } }] },
    });
    log(`   ${carol.userPrincipalName} was given keys get, list, delete on ${primary.vaultName}`);

    // The auditor: Reader on both subscriptions (vaults, access policies, role assignments, features),
    // plus a key access policy with only get and list: key properties are Key Vault data, which
    // Reader does not open. No write permission anywhere. In Azure an Owner grants these once.
    const auditor = emulator.directory.createUser({ userPrincipalName: "auditor", displayName: "Security auditor" });
    for (const vault of [primary, secondary]) {
      emulator.assignRole({ scope: `/subscriptions/${vault.subscriptionId}`, roleId: READER_ROLE_ID, principalId: auditor.objectId });
      await rawVaultManagement(emulator, vault.subscriptionId).vaults.updateAccessPolicy(vault.resourceGroup, vault.vaultName, "add", {
        properties: { accessPolicies: [{ tenantId: emulator.tenantId, objectId: auditor.objectId, permissions: { keys: ["get", "list"] } }] },
      });
    }
    log(`   ${auditor.userPrincipalName}: Reader on both subscriptions, keys get and list on both vaults`);

    log("The audit, as the read-only auditor:");
    const audit = clientFor(emulator, auditor.userPrincipalName);
    const since = emulator.requests.size;
    // Only reads: Resource Manager GETs, Key Vault key GETs, Graph lookups, and the backup directory.
    const report = await audit.validate({ ...spec, backupDirectory });
    const mutating = emulator.requests.mutating(since);
    const markdown = report.toMarkdown();
    log(markdown);
    // For a ticket system: JSON.stringify(report) gives { ok, workload, summary, checks[] }.

    const failing = [...new Set(report.checks.filter((c) => c.status === "fail").map((c) => c.id))];
    log(`Failing checks: ${failing.join(", ") || "none"}; requests that changed anything: ${mutating.length}`);
    const ok = failing.length === 1 && failing[0] === "access.noAdminDelete" && mutating.length === 0;
    return { ok, failing, mutatingRequests: mutating.length, markdown };
  } finally {
    await scenario.stop();
  }
}

runIfMain(import.meta.url, () => main());
