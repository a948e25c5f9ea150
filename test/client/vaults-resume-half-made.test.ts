/**
 * Kill-and-resume regression (issue 14): an apply stopped right after the vault PUTs leaves vaults
 * without access policies. A new plan must see the missing access and a new apply must grant it.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { ADMIN_KEY_PERMISSIONS, SERVICE_KEY_PERMISSIONS, WORKLOAD_APP_IDS } from "../../src/index.js";
import { clientFor, pairSpec } from "./client-fixtures.js";

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(() => emulator?.stop());

const sorted = (list: readonly string[] | undefined) => [...(list ?? [])].map((p) => p.toLowerCase()).sort();

it("a vault made by a stopped apply, with no access policy yet, gets the admin and workload access on the next plan + apply", async () => {
  const client = clientFor(emulator);
  const spec = pairSpec(emulator);
  const first = await client.vaultPairs.plan(spec);
  const poller = client.vaultPairs.beginApply(first);
  // Stop once both vault PUTs are done, before any access change (as a SIGKILL would).
  while (!["primary/vault", "secondary/vault"].every((id) => poller.operationState.completed.includes(id))) await poller.poll();
  for (const member of [spec.primary, spec.secondary]) {
    expect(emulator.snapshot().arm.vaults[member.vaultName.toLowerCase()]?.properties.accessPolicies).toEqual([]);
  }

  const again = await client.vaultPairs.plan(spec);
  const access = again.changes.filter((c) => c.resource === "accessPolicy");
  expect(access.map((c) => c.kind)).toEqual(["create", "create", "create", "create"]);
  await client.vaultPairs.beginApply(again).pollUntilDone();

  const sp = emulator.directory.findServicePrincipal(WORKLOAD_APP_IDS[spec.workload])!;
  for (const member of [spec.primary, spec.secondary]) {
    const policies = emulator.snapshot().arm.vaults[member.vaultName.toLowerCase()]!.properties.accessPolicies;
    expect(sorted(policies.find((p) => p.objectId === emulator.admin.objectId)?.permissions.keys)).toEqual(sorted(ADMIN_KEY_PERMISSIONS));
    expect(sorted(policies.find((p) => p.objectId === sp.objectId)?.permissions.keys)).toEqual(sorted(SERVICE_KEY_PERMISSIONS));
  }
  expect((await client.vaultPairs.plan(spec)).changes.every((c) => c.kind === "noop")).toBe(true);
});
