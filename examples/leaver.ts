/**
 * Scenario 4, the leaver: an administrator leaves. List who can do what on both vaults, remove that
 * person's access on both, show the result. Nobody else loses access; nobody gains delete.
 *
 *   node --import tsx examples/leaver.ts
 */
import { runIfMain } from "./run-example.js";
import { startScenario } from "./shared-setup.js";
import type { AccessEntry, VaultCoordinates } from "../src/index.js";

export interface LeaverResult {
  ok: boolean;
  leaver: string;
  /** Principal → key permissions, per vault, after the revocation. */
  after: Record<string, Record<string, string[]>>;
}

const describeEntry = (e: AccessEntry) =>
  `${e.principal} (${e.principalKind}): ${e.kind === "accessPolicy" ? (e.permissions ?? []).join(", ") : (e.roles ?? []).map((r) => r.roleName).join(", ")}${e.includesDelete ? "  ← CAN DELETE" : ""}`;

/** "accessPolicy alice@…" → sorted permissions or role names: one row per principal and kind of grant. */
const table = (entries: AccessEntry[]) =>
  Object.fromEntries(entries.map((e) => [`${e.kind} ${e.principal}`, [...(e.permissions ?? []), ...(e.roles ?? []).map((r) => r.roleName)].sort()]));

export async function main({ log = console.log }: { log?: (line: string) => void } = {}): Promise<LeaverResult> {
  // The operator (who runs this) plus two colleagues, Alice and Bob, administer the pair.
  const scenario = await startScenario({ administrators: ["alice", "bob"], doNotCancel: false, keys: false });
  const { client, primary, secondary } = scenario;
  try {
    const leaver = scenario.administrators[0]!; // alice@<tenant domain>
    const vaults: [string, VaultCoordinates][] = [["primary", primary], ["secondary", secondary]];

    log("1. Who can do what (access policies read through Resource Manager, names from Microsoft Graph)");
    const before: Record<string, Record<string, string[]>> = {};
    for (const [label, vault] of vaults) {
      const entries = await client.vaultPairs.listAccess(vault);
      before[label] = table(entries);
      log(`   ${label} ${vault.vaultName}:`);
      for (const e of entries) log(`     ${describeEntry(e)}`);
    }
    // Owner is a control-plane role: under the access-policy model it opens no key, but an Owner can
    // write themselves an access policy. Keep Owners few; validate() flags anyone who can delete keys.

    log(`2. Revoke ${leaver} on both vaults`);
    // `confirm` must repeat the principal: a typo or a copy-paste of the wrong name sends nothing.
    // Against Azure this is Vaults_UpdateAccessPolicy (kind remove) plus, under RBAC, deleting the
    // person's role assignments at or below the vault. Microsoft 365's own access is refused unless
    // allowMicrosoft365Revocation is set, because removing it makes mailboxes unreadable.
    for (const [label, vault] of vaults) {
      const result = await client.vaultPairs.revokeAccess(vault, leaver, { confirm: leaver });
      log(`   ${label}: access policy removed: ${result.removedAccessPolicy}; role assignments removed: ${result.removedRoleAssignments.length}; still holds: ${result.remaining.length === 0 ? "nothing" : result.remaining.map(describeEntry).join("; ")}`);
    }
    // Access through a group, or a role assigned at the subscription, is not the vault's to remove:
    // `remaining` lists it so you can take it up with whoever owns that scope.

    log("3. The result");
    const after: Record<string, Record<string, string[]>> = {};
    let ok = true;
    for (const [label, vault] of vaults) {
      const entries = await client.vaultPairs.listAccess(vault);
      after[label] = table(entries);
      log(`   ${label} ${vault.vaultName}:`);
      for (const e of entries) log(`     ${describeEntry(e)}`);
      const expected = { ...before[label] };
      delete expected[`accessPolicy ${leaver}`];
      const othersUnchanged = JSON.stringify(Object.entries(after[label]!).sort()) === JSON.stringify(Object.entries(expected).sort());
      const leaverGone = entries.every((e) => e.principal !== leaver);
      const nobodyDeletes = entries.every((e) => !e.includesDelete);
      log(`   → leaver gone: ${leaverGone}; everyone else unchanged: ${othersUnchanged}; nobody can delete: ${nobodyDeletes}`);
      ok &&= leaverGone && othersUnchanged && nobodyDeletes;
    }
    return { ok, leaver, after };
  } finally {
    await scenario.stop();
  }
}

runIfMain(import.meta.url, () => main());
