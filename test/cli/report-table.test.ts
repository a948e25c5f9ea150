import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatReportTable } from "../../src/cli/report-table.js";
import { wrap } from "../../src/cli/terminal-text.js";
import { PreflightReport, type PreflightCheck } from "../../src/index.js";

const SUB = "45d5c049-4c4c-4be4-99c7-3492b6c5d7a0";
const VAULT_ID = `/subscriptions/${SUB}/resourceGroups/rg-customer-key-a/providers/Microsoft.KeyVault/vaults/contoso-exo-eu-a1`;
const KEY_URI = "https://contoso-exo-eu-a1.vault.azure.net/keys/exo-root/0ae5b7bad2a3378b6b67016d594a3930";

function check(overrides: Partial<PreflightCheck>): PreflightCheck {
  return {
    id: "vault.name",
    title: "Vault exists under a valid name",
    status: "pass",
    target: "vault contoso-exo-eu-a1 (primary)",
    evidence: `Found ${VAULT_ID} in westeurope.`,
    remediation: "",
    ...overrides,
  };
}

const passing = new PreflightReport("exchange", [
  check({ id: "subscription.doNotCancel", title: "Mandatory retention period (Do Not Cancel) is registered", target: `subscription ${SUB}`, evidence: "Feature Microsoft.Resources/mandatoryRetentionPeriodEnabled is Registered." }),
  check({}),
  check({ id: "access.servicePrincipalExists", title: "The workload's service principal exists in the tenant", target: `tenant ${SUB}`, evidence: "Office 365 Exchange Online (00000002-0000-0ff1-ce00-000000000000) is service principal a133011c-e588-491d-9c4a-c810fb58eafe." }),
  check({ id: "key.type", title: "Key is RSA, 2048 to 4096 bits", target: "key contoso-exo-eu-a1/exo-root (primary)", evidence: `RSA-HSM, 3072 bits, ${KEY_URI}.` }),
]);

const failing = new PreflightReport("multiWorkload", [
  ...passing.checks,
  check({
    id: "key.expiry",
    status: "fail",
    title: "Key has no expiry (or 9999-12-31)",
    target: "key contoso-exo-eu-b1/exo-root (secondary)",
    evidence: `Expires 2027-01-01T00:00:00.000Z: Microsoft 365 stops using the key at that date. Version ${KEY_URI}.`,
    remediation:
      "client.keys.clearExpiry(vault, 'exo-root') with a principal holding the key `update` permission (the administrator set does not: grant it for the fix, then remove it), or Update-AzKeyVaultKey -VaultName contoso-exo-eu-b1 -Name exo-root -Expires ([datetime]'9999-12-31').",
  }),
  check({ id: "vault.regions.notPaired", status: "warn", title: "The vault regions are not an Azure region pair", target: "vault pair", evidence: "westeurope and northeurope are an Azure region pair.", remediation: "Move the secondary vault to a region outside the pair, e.g. swedencentral." }),
]);

describe("formatReportTable", () => {
  it.each([
    ["passing", passing],
    ["failing", failing],
  ])("a %s report fits 100 columns (and 80, and 60) and keeps every check", (_name, report) => {
    for (const width of [100, 80, 60]) {
      const text = formatReportTable(report, { width });
      const lines = text.trimEnd().split("\n");
      expect(lines.filter((line) => [...line].length > width)).toEqual([]);
      expect(lines.find((line) => line.startsWith("Result:"))).toMatch(report.ok ? /^Result: ready\./ : /^Result: NOT ready\./);
      // Ids are whole down to 90 columns (the longest is 29); narrower, the id column is a third of the width.
      if (width >= 90) for (const c of report.checks) expect(text).toContain(c.id);
    }
  });

  it("the default width is 100 and JSON reports work too", () => {
    expect(formatReportTable(failing)).toBe(formatReportTable(failing.toJSON(), { width: 100 }));
  });

  it("lists the remediation of failed and warned checks only, after the table", () => {
    const text = formatReportTable(failing);
    const remediation = text.slice(text.indexOf("Remediation:"));
    expect(remediation).toMatch(/^FAIL key\.expiry \(key contoso-exo-eu-b1\/exo-root \(secondary\)\)$/m);
    expect(remediation).toMatch(/^WARN vault\.regions\.notPaired/m);
    expect(remediation.replace(/\s+/g, " ")).toContain("grant it for the fix, then remove it");
    expect(formatReportTable(passing)).not.toContain("Remediation:");
  });

  it("wrap keeps every character and respects the width", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.integer({ min: 1, max: 120 }), (text, width) => {
        const lines = wrap(text, width);
        for (const line of lines) expect([...line].length).toBeLessThanOrEqual(width);
        const squash = (s: string) => s.replace(/[\s\u0000-\u001f\u007f]+/g, "");
        expect(squash(lines.join(""))).toBe(squash(text));
      }),
    );
  });
});
