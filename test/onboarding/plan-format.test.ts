import { describe, expect, it } from "vitest";
import { parseOnboardingConfig } from "../../src/index.js";
import { PlannedOnboarding } from "../../src/onboarding/plan.js";
import type { OnboardingStep } from "../../src/onboarding/types.js";

const config = parseOnboardingConfig({
  tenantId: "11111111-1111-1111-1111-111111111111",
  subscriptions: { primary: "22222222-2222-2222-2222-222222222222", secondary: "33333333-3333-3333-3333-333333333333" },
  administrators: ["admin@contoso.onmicrosoft.com"],
  backups: { directories: ["/online", "/offline"] },
  vaultPairs: {
    exchange: { primary: { resourceGroup: "rg-a", location: "westeurope", vaultName: "contoso-exo-a1" }, secondary: { resourceGroup: "rg-b", location: "swedencentral", vaultName: "contoso-exo-b1" }, keyName: "exo-root" },
  },
  policies: { exchange: [] },
});

const step = (id: string, phase: OnboardingStep["phase"], kind: OnboardingStep["kind"]): OnboardingStep => ({ id, phase, kind, target: id, reason: "because" });

describe("onboarding plan text", () => {
  it("gives each phase one heading, and the onboarding request its own between backups and preflight", () => {
    const plan = new PlannedOnboarding(config, [
      step("keys/exchange/primary", "keys", "create"),
      step("backups/exchange/primary/0", "backups", "create"),
      step("microsoft/onboardingRequest", "keys", "wait"),
      step("preflight/exchange", "preflight", "check"),
    ]);
    const headings = plan.format().split("\n").filter((l) => /^\w+:$/.test(l));
    expect(headings).toEqual(["keys:", "backups:", "microsoft:", "preflight:"]);
    expect(plan.format()).toContain("1 waiting for Microsoft");
  });
});
