/** Runs the example scripts in-process against their own emulators. */
import { describe, expect, it } from "vitest";
import { main as quickstart } from "../examples/emulator-quickstart.js";
import { main as envelope } from "../examples/envelope.js";
import { main as setupAndValidate } from "../examples/setup-and-validate.js";
import { main as leaver } from "../examples/leaver.js";
import { main as disasterDrill } from "../examples/disaster-drill.js";
import { main as keyRoll } from "../examples/key-roll.js";
import { main as preflightAudit } from "../examples/preflight-audit.js";
import { main as customTransport } from "../examples/custom-transport.js";
import { main as exchangePolicy } from "../examples/exchange-policy.js";
import { main as revokeAndPurge } from "../examples/revoke-and-purge.js";
import { main as sharePointPolicy } from "../examples/sharepoint-policy.js";
import { main as keyRollAllWorkloads } from "../examples/key-roll-all-workloads.js";

describe("examples", () => {
  it("setup-and-validate ends with a ready report and two versioned key URIs", async () => {
    const lines: string[] = [];
    const result = await setupAndValidate({ log: (line) => lines.push(line) });
    expect(result.ok).toBe(true);
    expect(result.keyUris).toHaveLength(2);
    for (const uri of result.keyUris) expect(uri).toMatch(/^https:\/\/.+\/keys\/exo-root\/[0-9a-f]{32}$/);
    const output = lines.join("\n");
    expect(output).toMatch(/^Result: ready\./m);
    expect(result.markdown).toContain("**Result: ready**");
    // `npm start` prints this: every line fits a 100-column terminal.
    expect(output.split("\n").filter((line) => [...line].length > 100)).toEqual([]);
    expect(output).toMatch(/five\s+business days/);
    expect(output).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);
  });

  it("envelope seals, opens with either key and rewraps", async () => {
    const lines: string[] = [];
    expect(await envelope({ log: (line) => lines.push(line) })).toEqual({ ok: true });
    expect(lines.at(-1)).toBe("Round trip OK.");
  });

  it("emulator-quickstart wraps a data key with the real Azure clients", async () => {
    const result = await quickstart({ log: () => {} });
    expect(result.ok).toBe(true);
    expect(result.kid).toMatch(/\/keys\/quickstart-key\/[0-9a-f]{32}$/);
  });

  it("leaver removes one administrator from both vaults; nobody else changes, nobody can delete", async () => {
    const result = await leaver({ log: () => {} });
    expect(result.ok).toBe(true);
    for (const vault of Object.values(result.after)) {
      expect(Object.keys(vault).some((row) => row.endsWith(result.leaver))).toBe(false);
      expect(Object.keys(vault)).toContain("accessPolicy Office 365 Exchange Online");
      expect(Object.keys(vault).filter((row) => row.startsWith("accessPolicy bob@"))).toHaveLength(1);
    }
  });

  it("disaster-drill recovers a deleted key and restores a purged one under the same URI, skipping an altered backup", async () => {
    const lines: string[] = [];
    const result = await disasterDrill({ log: (line) => lines.push(line) });
    expect(result.ok).toBe(true);
    expect(result.recovered.after).toBe(result.recovered.original);
    expect(result.restored.after).toBe(result.restored.original);
    expect(result.alteredStatus).toBe("altered");
    expect(lines.join("\n")).not.toMatch(/AzureKeyVaultKeyBackup|eyJ[A-Za-z0-9_-]{10,}/);
  });

  it("key-roll makes a new version, keeps the old one, and validates with fresh backups", async () => {
    const result = await keyRoll({ log: () => {} });
    expect(result.ok).toBe(true);
    expect(result.currentKeyId).not.toBe(result.previousKeyId);
    expect(result.versions).toEqual(expect.arrayContaining([result.previousKeyId, result.currentKeyId]));
  });

  it("preflight-audit, read-only, flags exactly the admin who can delete and changes nothing", async () => {
    const result = await preflightAudit({ log: () => {} });
    expect(result.ok).toBe(true);
    expect(result.failing).toEqual(["access.noAdminDelete"]);
    expect(result.mutatingRequests).toBe(0);
    expect(result.markdown).toContain("**Result: NOT ready**");
    expect(result.markdown).toMatch(/carol@.*access policy keys delete/);
  });

  it("custom-transport audits every cmdlet run as a JSON line: names, outcome, no parameter values", async () => {
    const lines: string[] = [];
    const result = await customTransport({ log: (line) => lines.push(line) });
    expect(result.ok).toBe(true);
    expect(result.audit.map((r) => `${r.cmdlet} ${r.outcome}`)).toEqual([
      "New-DataEncryptionPolicy ok",
      "Set-DataEncryptionPolicy ok",
      "Set-Mailbox ok",
      "Get-DataEncryptionPolicy failed",
      "Set-Mailbox ok",
      "Set-Mailbox ok",
      "Set-Mailbox ok",
    ]);
    expect(result.audit[0]!.parameters).toEqual(["Name", "AzureKeyIDs", "Description"]);
    expect(result.audit[1]!.safeValues).toEqual({ Refresh: true });
    expect(result.audit[3]).toMatchObject({ errorCode: "ERR_EXCHANGE_OBJECT_NOT_FOUND", requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(new Set(result.audit.slice(4).map((r) => r.batchId)).size).toBe(1);
    const trail = lines.filter((l) => l.trimStart().startsWith("{")).join("\n");
    expect(trail).not.toMatch(/EU_mailboxes|US_mailboxes|user00000\d|vault|eyJ[A-Za-z0-9_-]{10,}/);
  });

  it("exchange-policy creates a DEP, assigns 200 mailboxes with progress, and shows them encrypted after 72 h", async () => {
    const lines: string[] = [];
    const result = await exchangePolicy({ log: (line) => lines.push(line) });
    expect(result.ok).toBe(true);
    expect(result.assignment).toMatchObject({ done: 200, failed: 0 });
    expect(lines.filter((l) => /^ {3}done \d+, failed 0, remaining \d+/.test(l)).length).toBeGreaterThanOrEqual(3);
    expect(lines.join("\n")).toMatch(/second run: 200 skipped, 0 requests/);
    expect(result.status.every((s) => s.isEncrypted && s.policyName === "EU_mailboxes")).toBe(true);
  }, 120_000);

  it("revoke-and-purge shows every confirmation, refuses the purge while Exchange has access, then requests it", async () => {
    const lines: string[] = [];
    const result = await revokeAndPurge({ log: (line) => lines.push(line) });
    expect(result.ok).toBe(true);
    expect(result.refusals).toEqual(["ERR_CONFIRMATION_REQUIRED", "ERR_PURGE_ACCESS_REMAINS", "ERR_REVOKE_MICROSOFT_365", "ERR_REVOKE_MICROSOFT_365", "ERR_EXCHANGE_OPERATION_REFUSED"]);
    expect(lines.join("\n")).toMatch(/signed request to Microsoft/);
  }, 120_000);
  it("sharepoint-policy registers with rising progress, rolls the primary key and passes policy.sharePoint.state", async () => {
    const lines: string[] = [];
    const result = await sharePointPolicy({ log: (line) => lines.push(line) });
    expect(result.ok).toBe(true);
    expect(result.registrationProgress.length).toBeGreaterThan(1);
    expect([...result.registrationProgress].sort((a, b) => a - b)).toEqual(result.registrationProgress);
    expect(result.primaryAfter).not.toBe(result.primaryBefore);
    expect(lines.join("\n")).toContain("Rolling");
  });

  it("key-roll-all-workloads moves Exchange, multi-workload and SharePoint onto each new version, one key at a time", async () => {
    const result = await keyRollAllWorkloads({ log: () => {} });
    expect(result.ok).toBe(true);
    expect(result.rolls).toHaveLength(6);
    for (const steps of result.steps) expect(steps).toEqual(["rollKey", "backup", "discover", "update", "awaitWorkloads", "verify", "done"]);
    expect(result.rolls[0]!.policies.map((p) => [p.workload, p.policy])).toEqual([["exchange", "EU_mailboxes"], ["exchange", "US_mailboxes"]]);
    expect(result.rolls[1]!.policies.map((p) => [p.workload, p.policy])).toEqual([["multiWorkload", "Tenant_default"]]);
    expect(result.rolls[2]!.policies.map((p) => [p.workload, p.keyType])).toEqual([["sharePoint", "primary"]]);
    for (const roll of result.rolls) expect(roll.newKeyUri).not.toBe(roll.previousKeyUri);
  });
});
