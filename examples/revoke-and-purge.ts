/**
 * Scenario: the exit path. Leaving Customer Key for good: every step that cannot be undone asks for
 * a confirmation naming its target, and the SDK refuses the purge request while Exchange Online
 * can still use either key. The purge itself ends with a signed request to Microsoft (outside the SDK).
 *
 *   node --import tsx examples/revoke-and-purge.ts
 */
import { runIfMain } from "./run-example.js";
import { startScenario } from "./shared-setup.js";
import { WORKLOAD_APP_IDS, isCustomerKeyError, type VaultCoordinates } from "../src/index.js";

export interface RevokeAndPurgeResult {
  ok: boolean;
  /** The error codes seen, in order, at each refused step. */
  refusals: string[];
  /** True once the policy reports the purge request. */
  purgeRequested: boolean;
}

export async function main({ log = console.log }: { log?: (line: string) => void } = {}): Promise<RevokeAndPurgeResult> {
  const scenario = await startScenario();
  const { client, emulator, keyUris, primary, secondary } = scenario;
  const refusals: string[] = [];
  const refused = (_step: string, error: unknown) => {
    if (!isCustomerKeyError(error)) throw error;
    refusals.push(error.code);
    log(`   refused (${error.code}): ${error.message}`);
  };
  try {
    log("1. A DEP with a few mailboxes");
    await client.policies.exchange.create({ name: "Exit_DEP", keyUris });
    const mailboxes = emulator.exchange.listMailboxes({ limit: 3 }).map((m) => m.userPrincipalName);
    await client.policies.exchange.beginAssign(mailboxes, "Exit_DEP");

    log("2. The purge request without the right confirmation: nothing is sent");
    await client.policies.exchange.requestPermanentDataPurge("Exit_DEP", { reason: "Leaving Microsoft 365", contact: "security@contoso.com", confirm: "exit_dep" }).catch((e: unknown) => refused("confirm", e));

    log("3. Confirmed, but Exchange Online can still use the keys: refused, naming the access that remains");
    await client.policies.exchange.requestPermanentDataPurge("Exit_DEP", { reason: "Leaving Microsoft 365", contact: "security@contoso.com", confirm: "Exit_DEP" }).catch((e: unknown) => refused("access", e));

    log("4. Revoke Office 365 Exchange Online on both vaults (confirmation names it; Microsoft 365 revocation allowed explicitly)");
    // The principal is named by its object id in this tenant, looked up by its app id in Microsoft Graph.
    const exchangeSp = await client.directory.findServicePrincipalByAppId(WORKLOAD_APP_IDS.exchange);
    if (!exchangeSp) throw new Error("Office 365 Exchange Online has no service principal in this tenant.");
    const exchangeApp = exchangeSp.objectId;
    log(`   Office 365 Exchange Online (app ${WORKLOAD_APP_IDS.exchange}) is object ${exchangeApp} here`);
    const vaults: [string, VaultCoordinates][] = [["primary", primary], ["secondary", secondary]];
    for (const [label, vault] of vaults) {
      // Without allowMicrosoft365Revocation the SDK refuses: revoking makes mailboxes unreadable.
      await client.vaultPairs.revokeAccess(vault, exchangeApp, { confirm: exchangeApp }).catch((e: unknown) => refused("m365", e));
      const result = await client.vaultPairs.revokeAccess(vault, exchangeApp, { confirm: exchangeApp, allowMicrosoft365Revocation: true });
      log(`   ${label} ${vault.vaultName}: access policy removed = ${result.removedAccessPolicy}, roles removed = ${result.removedRoleAssignments.length}`);
    }

    log("5. The purge request, confirmed, with no access left");
    const policy = await client.policies.exchange.requestPermanentDataPurge("Exit_DEP", { reason: "Leaving Microsoft 365", contact: "security@contoso.com", confirm: "Exit_DEP" });
    log(`   ${policy.name}: permanent data purge requested = ${policy.permanentDataPurgeRequested}, state ${policy.state ?? "?"}`);
    log("   Next, outside the SDK: Microsoft sends the data purge document; a signed copy starts the purge.");

    log("6. The policy can no longer be assigned");
    await client.policies.exchange.assign(emulator.exchange.listMailboxes({ offset: 10, limit: 1 })[0]!.userPrincipalName, "Exit_DEP").catch((e: unknown) => refused("assign", e));

    const ok = policy.permanentDataPurgeRequested && refusals.length === 5 && refusals[0] === "ERR_CONFIRMATION_REQUIRED" && refusals[1] === "ERR_PURGE_ACCESS_REMAINS";
    return { ok, refusals, purgeRequested: policy.permanentDataPurgeRequested };
  } finally {
    await scenario.stop();
  }
}

runIfMain(import.meta.url, main);
