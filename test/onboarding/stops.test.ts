import { readdir, rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../../src/emulator/index.js";
import { startOnboardingFixture, type OnboardingFixture } from "./onboarding-fixture.js";
import { CustomerKeyClient, OnboardingPreflightError, parseOnboardingConfig, type OnboardingConfig } from "../../src/index.js";

let fixture: OnboardingFixture;
let emulator: Emulator;
let dir: string;
let client: CustomerKeyClient;
let config: OnboardingConfig;

beforeAll(async () => {
  fixture = await startOnboardingFixture("stops");
  ({ emulator, dir, client } = fixture);
  const { primary: a, secondary: b } = fixture.base.subscriptions;
  config = parseOnboardingConfig({
    ...fixture.base,
    vaultPairs: {
      exchange: { primary: { resourceGroup: "rg-a", location: "westeurope", vaultName: "woodgrove-exo-a1" }, secondary: { resourceGroup: "rg-b", location: "swedencentral", vaultName: "woodgrove-exo-b1" }, keyName: "exo-root" },
    },
    policies: { exchange: [{ name: "Woodgrove", vaultPair: "exchange", mailboxes: { allWithoutPolicy: true } }] },
  });
  const first = await client.onboarding.beginApply(await client.onboarding.plan(config)).pollUntilDone();
  expect(first.status).toBe("waiting");
  for (const sub of emulator.subscriptionIds) emulator.approveDoNotCancel(sub);
}, 60_000);

afterAll(async () => {
  await fixture?.stop();
});

describe("onboarding apply stops", () => {
  it("at Microsoft's onboarding request, listing the key URIs to send", async () => {
    const result = await client.onboarding.beginApply(await client.onboarding.plan(config), { journal: path.join(dir, "journal.json") }).pollUntilDone();
    expect(result.status).toBe("waiting");
    expect(result.waitingFor?.id).toBe("microsoft/onboardingRequest");
    expect(result.instructions).toContain(result.keys["exchange/primary"]);
    expect(result.instructions).toContain(result.keys["exchange/secondary"]);
  }, 60_000);

  it("before any policy when the preflight report fails, with the report on the typed error", async () => {
    // The online backups vanish: backup.current fails in the preflight report.
    await rm(path.join(dir, "online"), { recursive: true, force: true });
    const submitted = { ...config, microsoft: { onboardingRequestSubmitted: true } };
    const plan = await client.onboarding.plan(submitted);
    // The plan now makes the backups again; leave those steps out to reach the preflight with them missing.
    const since = emulator.requests.size;
    const error = await client.onboarding
      .beginApply({ ...plan, steps: plan.steps.filter((s) => s.phase !== "backups"), format: plan.format, toJSON: plan.toJSON } as typeof plan, { journal: path.join(dir, "journal-2.json") })
      .pollUntilDone()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OnboardingPreflightError);
    expect((error as OnboardingPreflightError).code).toBe("ERR_PREFLIGHT_FAILED");
    expect((error as OnboardingPreflightError).failedChecks).toContain("backup.current");
    expect((error as OnboardingPreflightError).report).toMatchObject({ ok: false });
    expect(emulator.requests.list({ service: "exchange" }).filter((r) => r.seq >= since && /^(New|Set)-/.test(r.operation ?? ""))).toEqual([]);
    expect(await readdir(dir)).not.toContain("online");
  }, 60_000);
});
