/**
 * Kill-and-resume regression (issue 14): a SIGKILL during `vaults/<pair>` can leave a vault made
 * but not yet granted to the administrator. Planning again must not fail on the key reads it
 * cannot make there yet, and the apply must grant the access, then make the keys.
 */
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Emulator } from "../../src/emulator/index.js";
import { startOnboardingFixture, type OnboardingFixture } from "./onboarding-fixture.js";
import { CustomerKeyClient, parseOnboardingConfig, type OnboardingConfig } from "../../src/index.js";
import { pairSpec } from "../../src/onboarding/plan.js";
import { registerDoNotCancelApproved } from "../helpers/do-not-cancel.js";

let fixture: OnboardingFixture;
let emulator: Emulator;
let dir: string;
let client: CustomerKeyClient;
let config: OnboardingConfig;

beforeAll(async () => {
  fixture = await startOnboardingFixture("half-made");
  ({ emulator, dir, client } = fixture);
  const { primary: a, secondary: b } = fixture.base.subscriptions;
  config = parseOnboardingConfig({
    ...fixture.base,
    vaultPairs: {
      multiWorkload: { primary: { resourceGroup: "rg-m365-a", location: "westeurope", vaultName: "contoso-m365-eu-a1" }, secondary: { resourceGroup: "rg-m365-b", location: "swedencentral", vaultName: "contoso-m365-eu-b1" }, keyName: "m365-root" },
    },
    policies: { multiWorkload: { name: "Tenant_default", vaultPair: "multiWorkload" } },
    microsoft: { onboardingRequestSubmitted: true },
  });
  await registerDoNotCancelApproved(client, emulator, [a, b]);
}, 60_000);

afterAll(async () => {
  await fixture?.stop();
});

it("resumes over vaults made by a killed apply before any access policy was added", async () => {
  // The killed run's state: both vaults PUT, no access policy yet.
  const spec = pairSpec(config, "multiWorkload", config.vaultPairs.multiWorkload!);
  const poller = client.vaultPairs.beginApply(await client.vaultPairs.plan(spec));
  while (!["primary/vault", "secondary/vault"].every((id) => poller.operationState.completed.includes(id))) await poller.poll();
  expect(emulator.snapshot().arm.vaults["contoso-m365-eu-a1"]?.properties.accessPolicies).toEqual([]);

  const plan = await client.onboarding.plan(config);
  expect(plan.steps.find((s) => s.id === "vaults/multiWorkload")?.kind).not.toBe("noop");
  expect(plan.steps.find((s) => s.id === "keys/multiWorkload/primary")?.kind).toBe("create");
  const result = await client.onboarding.beginApply(plan, { journal: path.join(dir, "journal.json") }).pollUntilDone();
  expect(result.status).toBe("completed");
  expect(result.changed).toEqual(expect.arrayContaining(["vaults/multiWorkload", "keys/multiWorkload/primary", "keys/multiWorkload/secondary"]));
  const policies = emulator.snapshot().arm.vaults["contoso-m365-eu-a1"]!.properties.accessPolicies;
  expect(policies.some((p) => p.objectId === emulator.admin.objectId)).toBe(true);
  expect((await client.policies.multiWorkload.getAssignment())?.policyName).toBe("Tenant_default");
});
