/**
 * A mailbox listed for one Exchange policy that already has another is moved only when the policy's
 * reassignFrom names the other: without it the plan's step is a refusal and apply stops before any
 * Set-Mailbox of the step; with it the mailboxes move and their audit lines name the old policy.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CustomerKeyClient, OnboardingReassignRefusedError, parseOnboardingConfig, type OnboardingConfig } from "../../src/index.js";
import { startOnboardingFixture, type OnboardingFixture } from "./onboarding-fixture.js";

let fixture: OnboardingFixture;
let mailboxes: string[];
let configOf: (policies: OnboardingConfig["policies"]["exchange"]) => OnboardingConfig;

beforeAll(async () => {
  fixture = await startOnboardingFixture("reassign");
  mailboxes = fixture.emulator.exchange.listMailboxes({ limit: 20 }).map((m) => m.userPrincipalName);
  configOf = (exchange) =>
    parseOnboardingConfig({
      ...fixture.base,
      vaultPairs: {
        exchange: { primary: { resourceGroup: "rg-a", location: "westeurope", vaultName: "tailspin-exo-a1" }, secondary: { resourceGroup: "rg-b", location: "swedencentral", vaultName: "tailspin-exo-b1" }, keyName: "exo-root" },
      },
      policies: { exchange },
      microsoft: { onboardingRequestSubmitted: true },
    });
  // The full apply: EU_mailboxes on the first five mailboxes.
  const config = configOf([{ name: "EU_mailboxes", vaultPair: "exchange", mailboxes: { list: mailboxes.slice(0, 5) } }]);
  const { client, emulator } = fixture;
  expect((await client.onboarding.beginApply(await client.onboarding.plan(config)).pollUntilDone()).waitingFor?.id).toBe("doNotCancel/primary/approval");
  for (const sub of emulator.subscriptionIds) emulator.approveDoNotCancel(sub);
  expect((await client.onboarding.beginApply(await client.onboarding.plan(config)).pollUntilDone()).status).toBe("completed");
}, 120_000);

afterAll(async () => {
  await fixture?.stop();
});

const policyOf = async (mailbox: string) => (await fixture.client.policies.exchange.getMailboxEncryption(mailbox)).assignedPolicyName;
const setMailboxSince = (since: number) => fixture.emulator.requests.list({ service: "exchange" }).filter((r) => r.seq >= since && /^Set-(Mailbox|MailUser)$/.test(r.operation ?? ""));

describe("onboarding: mailboxes that have another Exchange policy", () => {
  it("without reassignFrom: the plan counts them apart and refuses; apply stops with no Set-Mailbox", async () => {
    const { client } = fixture;
    // Two mailboxes that have EU_mailboxes, one without any policy.
    const us = [mailboxes[0]!, mailboxes[1]!, mailboxes[10]!];
    const config = configOf([
      { name: "EU_mailboxes", vaultPair: "exchange", mailboxes: { list: mailboxes.slice(0, 5) } },
      { name: "US_mailboxes", vaultPair: "exchange", mailboxes: { list: us } },
    ]);
    const plan = await client.onboarding.plan(config);
    const step = plan.steps.find((s) => s.id === "assignments/exchange/US_mailboxes")!;
    expect(step.kind).toBe("check");
    expect(step.reason).toBe('refused: 2 with EU_mailboxes (reassignFrom: ["EU_mailboxes"] moves them); 1 without a policy');
    expect(plan.format()).toContain("? check  mailboxes → US_mailboxes");

    const since = fixture.emulator.requests.size;
    const error = await client.onboarding.beginApply(plan).pollUntilDone().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OnboardingReassignRefusedError);
    expect((error as OnboardingReassignRefusedError).code).toBe("ERR_MAILBOX_HAS_OTHER_POLICY");
    expect((error as OnboardingReassignRefusedError).mailboxes).toEqual([{ mailbox: us[0], policy: "EU_mailboxes" }, { mailbox: us[1], policy: "EU_mailboxes" }]);
    expect((error as Error).message).toContain(`add reassignFrom: ["EU_mailboxes"] to policy 'US_mailboxes'`);
    // The policy step before it ran (US_mailboxes exists now); no mailbox was touched, not even the one without a policy.
    expect(await client.policies.exchange.get("US_mailboxes")).toBeDefined();
    expect(setMailboxSince(since)).toEqual([]);
    expect([await policyOf(us[0]!), await policyOf(us[1]!), await policyOf(us[2]!)]).toEqual(["EU_mailboxes", "EU_mailboxes", undefined]);
  }, 60_000);

  it("with reassignFrom naming EU_mailboxes: moved, and each audit line's before names the policy it had", async () => {
    const { emulator, dir } = fixture;
    const auditFile = path.join(dir, "audit.jsonl");
    const client = new CustomerKeyClient(emulator.credential(), { ...emulator.customerKeyClientOptions(), pollIntervalInMs: 10, audit: { file: auditFile } });
    const us = [mailboxes[0]!, mailboxes[1]!, mailboxes[10]!];
    // The careful admin takes the two off EU_mailboxes's list and names EU_mailboxes as the policy to move them from.
    const config = configOf([
      { name: "EU_mailboxes", vaultPair: "exchange", mailboxes: { list: mailboxes.slice(2, 5) } },
      { name: "US_mailboxes", vaultPair: "exchange", mailboxes: { list: us }, reassignFrom: ["EU_mailboxes"] },
    ]);
    const plan = await client.onboarding.plan(config);
    const step = plan.steps.find((s) => s.id === "assignments/exchange/US_mailboxes")!;
    expect(step.kind).toBe("update");
    expect(step.reason).toBe("3 mailbox(es) without it: 1 without a policy, 2 with EU_mailboxes to move (reassignFrom)");

    const since = emulator.requests.size;
    const result = await client.onboarding.beginApply(plan).pollUntilDone();
    expect(result.status).toBe("completed");
    expect(result.changed).toEqual(["assignments/exchange/US_mailboxes"]);
    expect(setMailboxSince(since).filter((r) => r.status === 200)).toHaveLength(3);
    for (const box of us) expect(await policyOf(box)).toBe("US_mailboxes");

    const lines = (await readFile(auditFile, "utf8")).trim().split("\n").map((l) => JSON.parse(l) as { what: string; target: string; before: unknown; after: unknown });
    const assigned = lines.filter((l) => l.what === "policies.exchange.assign").sort((a, b) => a.target.localeCompare(b.target));
    expect(assigned.map((l) => [l.target, l.before, (l.after as { dataEncryptionPolicy: string }).dataEncryptionPolicy])).toEqual(
      [
        [us[0], { dataEncryptionPolicy: "EU_mailboxes" }, "US_mailboxes"],
        [us[1], { dataEncryptionPolicy: "EU_mailboxes" }, "US_mailboxes"],
        [us[2], { dataEncryptionPolicy: null }, "US_mailboxes"],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    // Done: a new plan has nothing to assign.
    const again = await client.onboarding.plan(config);
    expect(again.steps.filter((s) => s.phase === "assignments").map((s) => s.kind)).toEqual(["noop", "noop"]);
  }, 60_000);
});
