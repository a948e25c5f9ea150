import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseOnboardingConfig, type OnboardingAssignmentProgress, type OnboardingConfig } from "../../src/index.js";
import { startOnboardingFixture, type OnboardingFixture } from "./onboarding-fixture.js";

let fixture: OnboardingFixture;
let config: OnboardingConfig;
let mailboxes: string[];

beforeAll(async () => {
  fixture = await startOnboardingFixture("assignment-progress");
  mailboxes = fixture.emulator.exchange.listMailboxes({ limit: 40 }).map((m) => m.userPrincipalName);
  config = parseOnboardingConfig({
    ...fixture.base,
    vaultPairs: {
      exchange: { primary: { resourceGroup: "rg-a", location: "westeurope", vaultName: "fabrikam-exo-a1" }, secondary: { resourceGroup: "rg-b", location: "swedencentral", vaultName: "fabrikam-exo-b1" }, keyName: "exo-root" },
    },
    policies: { exchange: [{ name: "Fabrikam", vaultPair: "exchange", mailboxes: { list: mailboxes } }] },
    microsoft: { onboardingRequestSubmitted: true },
  });
  const first = await fixture.client.onboarding.beginApply(await fixture.client.onboarding.plan(config)).pollUntilDone();
  expect(first.waitingFor?.id).toBe("doNotCancel/primary/approval");
  for (const sub of fixture.emulator.subscriptionIds) fixture.emulator.approveDoNotCancel(sub);
}, 60_000);

afterAll(async () => {
  await fixture?.stop();
});

describe("onboarding apply: onAssignmentProgress", () => {
  it("reports the mailbox assignment of a policy while its step runs, ending at every mailbox", async () => {
    const seen: OnboardingAssignmentProgress[] = [];
    const steps: string[] = [];
    const { client } = fixture;
    const plan = await client.onboarding.plan(config);
    const result = await client.onboarding
      .beginApply(plan, {
        onProgress: (p) => steps.push(p.step.id),
        onAssignmentProgress: (p) => {
          // Reported inside the assignments step: the step before it has finished, the step itself not yet.
          expect(steps.at(-1)).not.toBe("assignments/exchange/Fabrikam");
          seen.push(p);
        },
      })
      .pollUntilDone();
    expect(result.status).toBe("completed");
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((p) => p.policy === "Fabrikam" && p.total === 40 && p.failed === 0)).toBe(true);
    expect(seen.at(-1)?.done).toBe(40);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.done).toBeGreaterThanOrEqual(seen[i - 1]!.done);
  }, 120_000);
});
