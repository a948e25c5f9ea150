/**
 * SharePoint Online's Customer Key policy: register the two keys of a SharePoint vault pair, watch
 * the registration's progress to Registered, then roll the primary key to a new version and watch
 * that roll (SharePoint rolls one key at a time). Multi-geo tenants have one policy per geo: pass
 * `geo: "EUR"` and so on; `client.policies.sharePoint.list()` shows them all.
 *
 *   node --import tsx examples/sharepoint-policy.ts
 */
import { runIfMain } from "./run-example.js";
import { startM365Scenario } from "./m365-setup.js";
import type { SharePointPolicyOperationState } from "../src/index.js";

export interface SharePointPolicyExampleResult {
  ok: boolean;
  /** Progress percentages reported while registering, in order. */
  registrationProgress: number[];
  /** The primary key URI before and after the roll (versioned). */
  primaryBefore: string;
  primaryAfter: string;
  /** The `policy.sharePoint.state` check after the roll. */
  check: string;
}

export async function main({ log = console.log }: { log?: (line: string) => void } = {}): Promise<SharePointPolicyExampleResult> {
  const scenario = await startM365Scenario(["sharePoint"]);
  const { client, emulator } = scenario;
  const keys = scenario.keys.sharePoint!;
  // SharePoint takes hours per registration or roll: each poll, move the emulator clock an hour on.
  const watch = (label: string, seen: number[] = []) => (state: SharePointPolicyOperationState) => {
    log(`   ${label}: ${state.policyState ?? "…"} ${state.progressPercent} %`);
    if (state.policyState !== "Registered") seen.push(state.progressPercent);
    emulator.clock.advance({ hours: 1 });
  };
  try {
    log(`1. Register ${keys.primary} (primary) and ${keys.secondary} (secondary)`);
    // Versionless URIs mean the current versions; the keys are checked (live, enabled, RSA, wrap/unwrap,
    // two vaults in two subscriptions) before anything is sent.
    const registrationProgress: number[] = [];
    const registered = await client.policies.sharePoint.beginRegister({ primaryKeyUri: keys.primary, secondaryKeyUri: keys.secondary, onProgress: watch("register", registrationProgress) });
    log(`   ${registered.state}: primary ${registered.primaryKeyUri}`);
    log(`                secondary ${registered.secondaryKeyUri}`);

    log("2. Roll the primary key: a new version in Key Vault (backed up at once), then Update-SPODataEncryptionPolicy");
    const rolled = await client.keys.roll(keys.primary, { backupDirectory: scenario.backupDirectory });
    const after = await client.policies.sharePoint.beginRollKey({ keyType: "primary", keyUri: rolled.currentKeyId, onProgress: watch("roll") });
    log(`   ${after.state}: primary ${after.primaryKeyUri}`);

    log("3. The preflight report's Microsoft 365 check");
    const report = await client.validate(
      { workload: "sharePoint", primary: { subscriptionId: emulator.subscriptionIds[0]!, vaultName: "contoso-spo-eu-a1", keyName: "spo-root" }, secondary: { subscriptionId: emulator.subscriptionIds[1]!, vaultName: "contoso-spo-eu-b1", keyName: "spo-root" } },
      { microsoft365: true },
    );
    const check = report.find("policy.sharePoint.state")[0]!;
    log(`   ${check.id}: ${check.status}: ${check.evidence}`);

    const ok = registered.state === "Registered" && after.state === "Registered" && after.primaryKeyUri === rolled.currentKeyId && after.secondaryKeyUri === registered.secondaryKeyUri && registrationProgress.length > 0 && check.status === "pass";
    return { ok, registrationProgress, primaryBefore: registered.primaryKeyUri!, primaryAfter: after.primaryKeyUri!, check: check.status };
  } finally {
    await scenario.stop();
  }
}

runIfMain(import.meta.url, () => main());
