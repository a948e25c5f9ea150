/**
 * The yearly key roll across Microsoft 365, end to end: Exchange mailbox DEPs, a multi-workload DEP
 * and SharePoint Online, each on its own vault pair (as Microsoft advises: one pair per workload). `client.beginRollRootKey` rolls a key and
 * moves every workload using it onto the new version: new version → backup → `-Refresh` of every
 * DEP naming the key and `Update-SPODataEncryptionPolicy` of SharePoint's policy naming it → wait
 * until each workload reports it → a final read. It never disables or deletes the old version, and
 * it resumes from `serialize()` without making a second version.
 *
 * The DEPs are made here with the Exchange transport directly (`client.policies.exchange` makes them
 * in the SDK proper); the roll finds them by their key URIs.
 *
 *   node --import tsx examples/key-roll-all-workloads.ts
 */
import { ExchangeRestTransport, type KeyRollOperationState, type KeyRollResult } from "../src/index.js";
import { runIfMain } from "./run-example.js";
import { startM365Scenario } from "./m365-setup.js";

export interface KeyRollAllWorkloadsResult {
  ok: boolean;
  /** One result per rolled key. */
  rolls: KeyRollResult[];
  /** Every step reported, in order, per roll. */
  steps: string[][];
}

export async function main({ log = console.log }: { log?: (line: string) => void } = {}): Promise<KeyRollAllWorkloadsResult> {
  const scenario = await startM365Scenario(["exchange", "multiWorkload", "sharePoint"]);
  const { client, emulator, backupDirectory } = scenario;
  const exo = scenario.keys.exchange!;
  const m365 = scenario.keys.multiWorkload!;
  const spo = scenario.keys.sharePoint!;
  try {
    log("1. Policies on the keys: two mailbox DEPs, a multi-workload DEP, SharePoint's registration");
    // With real Exchange Online: new ExchangeRestTransport({ credential, tenantId }).
    const exchange = new ExchangeRestTransport({ credential: emulator.credential(), tenantId: emulator.tenantId, endpoint: emulator.endpoints.exchange, ...emulator.clientOptions() });
    for (const name of ["EU_mailboxes", "US_mailboxes"]) await exchange.invoke({ cmdlet: "New-DataEncryptionPolicy", parameters: { Name: name, AzureKeyIDs: [exo.primary, exo.secondary] } });
    await exchange.invoke({ cmdlet: "New-M365DataAtRestEncryptionPolicy", parameters: { Name: "Tenant_default", AzureKeyIDs: [m365.primary, m365.secondary] } });
    await client.policies.sharePoint.beginRegister({ primaryKeyUri: spo.primary, secondaryKeyUri: spo.secondary, onProgress: () => emulator.clock.advance({ hours: 1 }) });
    log("   SharePoint Online: Registered");

    const rolls: KeyRollResult[] = [];
    const steps: string[][] = [];
    // One key at a time (the primaries, then the secondaries): never both keys of a policy at once.
    for (const keyUri of [exo.primary, m365.primary, spo.primary, exo.secondary, m365.secondary, spo.secondary]) {
      log(`2. Roll ${keyUri}`);
      const seen: string[] = [];
      let last = "";
      const poller = client.beginRollRootKey(keyUri, {
        backupDirectory,
        onProgress: (state: KeyRollOperationState) => {
          if (seen.at(-1) !== state.step) seen.push(state.step);
          const policies = state.policies.map((p) => `${p.workload}:${p.policy || "(tenant)"}${p.keyType ? `/${p.keyType}` : ""}=${p.status}${p.progressPercent !== undefined ? ` ${p.progressPercent} %` : ""}`);
          const line = `   ${state.step}${policies.length ? `  ${policies.join(", ")}` : ""}`;
          if (line !== last) log((last = line));
          // SharePoint's roll takes hours and Exchange's refresh up to 72: the emulator clock stands in.
          emulator.clock.advance({ hours: 1 });
        },
      });
      const result = await poller;
      log(`   ${result.previousKeyUri.split("/").at(-1)} → ${result.newKeyUri.split("/").at(-1)}; backup ${result.backupFile}`);
      log(`   confirmed: ${result.policies.map((p) => `${p.workload}:${p.policy || "(tenant)"}`).join(", ")}`);
      rolls.push(result);
      steps.push(seen);
    }

    log("3. SharePoint now reports the new versions of both its keys");
    const sp = await client.policies.sharePoint.get();
    log(`   ${sp.state}: ${sp.primaryKeyUri}, ${sp.secondaryKeyUri}`);

    const everyPolicyConfirmed = rolls.every((r) => r.policies.length > 0 && r.policies.every((p) => p.status === "confirmed"));
    const names = (r: KeyRollResult) => r.policies.map((p) => `${p.workload}:${p.policy}${p.keyType ? `/${p.keyType}` : ""}`).sort().join();
    const ok =
      everyPolicyConfirmed &&
      names(rolls[0]!) === "exchange:EU_mailboxes,exchange:US_mailboxes" && names(rolls[3]!) === names(rolls[0]!) &&
      names(rolls[1]!) === "multiWorkload:Tenant_default" && names(rolls[4]!) === names(rolls[1]!) &&
      names(rolls[2]!) === "sharePoint:/primary" && names(rolls[5]!) === "sharePoint:/secondary" &&
      sp.primaryKeyUri === rolls[2]!.newKeyUri && sp.secondaryKeyUri === rolls[5]!.newKeyUri;
    return { ok, rolls, steps };
  } finally {
    await scenario.stop();
  }
}

runIfMain(import.meta.url, () => main());
