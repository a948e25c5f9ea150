/**
 * A whole onboarding of both workloads driven through the SDK against an emulator, as the examples
 * do it step by step (examples/m365-setup.ts, exchange-policy.ts, sharepoint-policy.ts,
 * key-roll-all-workloads.ts): Do-Not-Cancel → vault pairs (Exchange, SharePoint, multi-workload) →
 * a root key in each vault → backups → validate → Exchange DEP + assignment of `mailboxes`
 * mailboxes → SharePoint registration → multi-workload DEP and its assignment → one key roll.
 * Shared by the reliability tests (faults, secrets); every step is idempotent so a test may run it
 * again and count the requests.
 */
import type { Emulator } from "../../src/emulator/index.js";
import type { CustomerKeyClient, PreflightReport, VaultPairSpec, BulkAssignResult, KeyRollResult } from "../../src/index.js";

export type Workload = VaultPairSpec["workload"];
export const WORKLOADS: Workload[] = ["exchange", "sharePoint", "multiWorkload"];
const SHORT: Record<Workload, string> = { exchange: "exo", sharePoint: "spo", multiWorkload: "m365" };
export const EXCHANGE_POLICY = "EU_mailboxes";
export const MULTI_WORKLOAD_POLICY = "Tenant_default";

export function pairSpecOf(emulator: Emulator, workload: Workload): VaultPairSpec {
  const [a, b] = emulator.subscriptionIds as [string, string];
  const short = SHORT[workload];
  return {
    workload,
    permissionModel: "accessPolicy",
    administrators: [emulator.admin.userPrincipalName],
    primary: { subscriptionId: a, resourceGroup: `rg-ck-${short}-a`, location: "westeurope", vaultName: `contoso-${short}-eu-a1` },
    secondary: { subscriptionId: b, resourceGroup: `rg-ck-${short}-b`, location: "swedencentral", vaultName: `contoso-${short}-eu-b1` },
  };
}

export function keyNameOf(workload: Workload): string {
  return `${SHORT[workload]}-root`;
}

export interface OnboardingOutcome {
  /** Per workload: versionless key URIs in the primary and secondary vault. */
  keys: Record<Workload, { primary: string; secondary: string }>;
  reports: PreflightReport[];
  assignment: BulkAssignResult;
  roll: KeyRollResult;
  mailboxes: string[];
  /** Wall-clock milliseconds per step. */
  timings: Record<string, number>;
}

export interface OnboardingOptions {
  backupDirectory: string;
  /** Mailboxes to assign the Exchange DEP to (the first N of the emulator's seeded ones). */
  mailboxes: number;
  /** Checkpoint file of the bulk assignment. */
  checkpoint?: string;
  /** Roll the Exchange primary key at the end (default true). */
  roll?: boolean;
}

/** Runs the whole onboarding; every step is one the SDK makes idempotent. */
export async function runOnboarding(emulator: Emulator, client: CustomerKeyClient, options: OnboardingOptions): Promise<Omit<OnboardingOutcome, "roll"> & { roll?: KeyRollResult }> {
  const [a, b] = emulator.subscriptionIds as [string, string];
  const timings: Record<string, number> = {};
  let mark = Date.now();
  const lap = (step: string) => {
    timings[step] = Date.now() - mark;
    mark = Date.now();
  };
  // 1. Do-Not-Cancel: Microsoft approves in days; the emulator approves as soon as it is requested.
  for (const subscriptionId of [a, b]) {
    const poller = client.subscriptions.beginRegisterDoNotCancel(subscriptionId);
    await poller.poll();
    // A second run finds it Registered already.
    if ((await client.subscriptions.getDoNotCancelState(subscriptionId)).featureState === "Pending") emulator.approveDoNotCancel(subscriptionId);
    await poller.pollUntilDone();
  }
  lap("doNotCancel");
  // 2–4. Vault pairs, a root key in each vault, a backup of each.
  const keys = {} as OnboardingOutcome["keys"];
  const reports: PreflightReport[] = [];
  for (const workload of WORKLOADS) {
    const spec = pairSpecOf(emulator, workload);
    await client.vaultPairs.beginApply(await client.vaultPairs.plan(spec));
    const uris: string[] = [];
    for (const member of [spec.primary, spec.secondary]) {
      const vault = { subscriptionId: member.subscriptionId, resourceGroup: member.resourceGroup, vaultName: member.vaultName };
      const { key } = await client.keys.create(vault, keyNameOf(workload), { protection: "hsm" });
      await client.backups.backupKey(key.versionlessId, { directory: options.backupDirectory });
      uris.push(key.versionlessId);
    }
    keys[workload] = { primary: uris[0]!, secondary: uris[1]! };
    // 5. Validate the pair.
    reports.push(await client.validate(spec));
  }
  lap("pairsKeysBackupsValidate");
  // 6. Exchange DEP and its assignment.
  const exo = keys.exchange;
  await client.policies.exchange.create({ name: EXCHANGE_POLICY, description: "EU mailboxes", keyUris: [exo.primary, exo.secondary] });
  const mailboxes = emulator.exchange.listMailboxes({ limit: options.mailboxes }).map((m) => m.userPrincipalName);
  const assignment = await client.policies.exchange.beginAssign(mailboxes, EXCHANGE_POLICY, { ...(options.checkpoint ? { checkpoint: options.checkpoint } : {}), initialRequestsPerSecond: 200 });
  lap("exchange");
  // 7. SharePoint registration (hours in reality: the emulator clock moves an hour per poll).
  const spo = keys.sharePoint;
  await client.policies.sharePoint.beginRegister({ primaryKeyUri: spo.primary, secondaryKeyUri: spo.secondary, onProgress: () => emulator.clock.advance({ hours: 1 }) });
  lap("sharePoint");
  // 8. Multi-workload DEP and the tenant's assignment.
  const m365 = keys.multiWorkload;
  await client.policies.multiWorkload.create({ name: MULTI_WORKLOAD_POLICY, keyUris: [m365.primary, m365.secondary] });
  await client.policies.multiWorkload.assign(MULTI_WORKLOAD_POLICY);
  lap("multiWorkload");
  // 9. One key roll through every workload using the key.
  let roll: KeyRollResult | undefined;
  if (options.roll !== false) {
    roll = await client.beginRollRootKey(exo.primary, { backupDirectory: options.backupDirectory, updateIntervalInMs: 10, onProgress: () => emulator.clock.advance({ hours: 1 }) });
  }
  lap("roll");
  return { keys, reports, assignment, mailboxes, timings, ...(roll ? { roll } : {}) };
}
