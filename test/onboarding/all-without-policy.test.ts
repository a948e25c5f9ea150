/**
 * `mailboxes: { allWithoutPolicy: true }` counts what the bulk assignment takes: mailboxes (mail
 * users are assigned by name). The plan counted mail users too, so after a complete apply it still
 * showed "20 mailbox(es) without it" and never settled to no change.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { startOnboardingFixture, type OnboardingFixture } from "./onboarding-fixture.js";
import { parseOnboardingConfig } from "../../src/index.js";
import { registerDoNotCancelApproved } from "../helpers/do-not-cancel.js";

let fixture: OnboardingFixture;
beforeAll(async () => {
  fixture = await startOnboardingFixture("all-without");
  await registerDoNotCancelApproved(fixture.client, fixture.emulator);
}, 60_000);
afterAll(async () => fixture?.stop());

it("after a complete apply the plan has nothing left to assign, though mail users stay without a policy", async () => {
  const { client, emulator } = fixture;
  expect(emulator.exchange.listMailUsers({ limit: 5 }).length).toBeGreaterThan(0);
  const config = parseOnboardingConfig({
    ...fixture.base,
    vaultPairs: { exchange: { primary: { resourceGroup: "rg-a", location: "westeurope", vaultName: "tailspin-exo-a1" }, secondary: { resourceGroup: "rg-b", location: "swedencentral", vaultName: "tailspin-exo-b1" }, keyName: "exo-root" } },
    policies: { exchange: [{ name: "All_mailboxes", vaultPair: "exchange", mailboxes: { allWithoutPolicy: true } }] },
    microsoft: { onboardingRequestSubmitted: true },
  });
  const before = (await client.onboarding.plan(config)).steps.find((s) => s.id === "assignments/exchange/All_mailboxes")!;
  expect(before.reason).toBe(`${emulator.exchange.mailboxCount} mailbox(es) without it`);
  expect((await client.onboarding.beginApply(await client.onboarding.plan(config)).pollUntilDone()).status).toBe("completed");
  const after = (await client.onboarding.plan(config)).steps.find((s) => s.id === "assignments/exchange/All_mailboxes")!;
  expect(after).toMatchObject({ kind: "noop", reason: "every mailbox has it" });
}, 120_000);
