/**
 * An onboarding through the CLI against an emulator another process runs, as an operator would:
 * `emulator start --state FILE --approve-do-not-cancel --clock-rate N` plays Microsoft's part and
 * moves its clock by itself, so `apply --state FILE` completes without anyone touching the emulator.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectionFileOf } from "../../src/cli/connection.js";
import { cli } from "./cli-harness.js";
import { readStartupJson, waitUntil } from "./emulator-process.js";

describe("customer-key apply against `emulator start --approve-do-not-cancel --clock-rate`", () => {
  const dir = mkdtempSync(join(tmpdir(), "ck-cli-plays-"));
  const state = join(dir, "state.json");
  const configFile = join(dir, "customer-key.config.json");
  const journal = join(dir, "journal.json");
  let child: ReturnType<typeof spawn>;
  let stderr = "";

  beforeAll(async () => {
    child = spawn(process.execPath, ["--import", "tsx", "src/cli/bin.ts", "emulator", "start", "--state", state, "--approve-do-not-cancel", "--clock-rate", "3600"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    await readStartupJson(child);
    await waitUntil(() => stderr.includes("running as pid"), 10_000);
    const info = JSON.parse(readFileSync(connectionFileOf(state), "utf8")) as { tenantId: string; subscriptions: [string, string]; admin: { userPrincipalName: string } };
    const [a, b] = info.subscriptions;
    writeFileSync(
      configFile,
      JSON.stringify({
        tenantId: info.tenantId,
        subscriptions: { primary: a, secondary: b },
        administrators: [info.admin.userPrincipalName],
        backups: { directories: ["./online", "./offline"] },
        vaultPairs: {
          exchange: {
            primary: { resourceGroup: "rg-a", location: "westeurope", vaultName: "contoso-exo-sp-a1" },
            secondary: { resourceGroup: "rg-b", location: "swedencentral", vaultName: "contoso-exo-sp-b1" },
            keyName: "exo-root",
          },
        },
        policies: { exchange: [{ name: "EU_mailboxes", vaultPair: "exchange", mailboxes: { list: ["user000001", "user000002", "user000003"] } }] },
        microsoft: { onboardingRequestSubmitted: true },
      }),
    );
  });

  afterAll(async () => {
    child?.kill("SIGTERM");
    await waitUntil(() => child.exitCode !== null || child.signalCode !== null, 10_000);
    expect(existsSync(connectionFileOf(state))).toBe(false);
  });

  it("says on stderr how it plays Microsoft and how fast its clock runs", () => {
    expect(stderr).toContain("Clock: 3600× wall time.");
    expect(stderr).toContain("Do-Not-Cancel: approved at once.");
  });

  it("apply completes within two runs, exit 0, with nobody approving Do-Not-Cancel by hand", async () => {
    const runs: { status: string; waitingFor?: { id: string }; changed: string[] }[] = [];
    for (let run = 0; run < 2 && runs.at(-1)?.status !== "completed"; run++) {
      const result = await cli("apply", "--config", configFile, "--state", state, "--journal", journal, "--json");
      expect(result.err).not.toContain("error");
      expect(result.code).toBe(0);
      runs.push(JSON.parse(result.out));
    }
    console.log(`apply runs: ${runs.map((r) => `${r.status}${r.waitingFor ? ` at ${r.waitingFor.id}` : ""}`).join(", ")}`);
    expect(runs.at(-1)?.status).toBe("completed");
    expect(runs.flatMap((r) => r.waitingFor?.id ?? [])).not.toContainEqual(expect.stringMatching(/approval$/));
    const changed = runs.flatMap((r) => r.changed);
    expect(changed).toEqual(expect.arrayContaining(["doNotCancel/primary/register", "doNotCancel/secondary/register", "vaults/exchange"]));
    expect(changed.some((id) => id.startsWith("policies/exchange"))).toBe(true);

    // The policy exists; nothing is left to do but the preflight check every plan runs.
    const status = await cli("status", "--config", configFile, "--state", state, "--json");
    expect(status.code).toBe(0);
    expect(JSON.stringify(JSON.parse(status.out).exchangePolicies)).toContain("EU_mailboxes");
    const plan = await cli("plan", "--config", configFile, "--state", state, "--json");
    const steps = (JSON.parse(plan.out) as { steps: { id: string; kind: string }[] }).steps;
    expect(steps.filter((s) => s.kind !== "noop").map((s) => s.kind)).toEqual(["check"]);
  });

  it("SharePoint's registration and key roll, hours on the emulator clock, take seconds: apply, then roll, exit 0", async () => {
    const config = JSON.parse(readFileSync(configFile, "utf8"));
    config.vaultPairs.sharePoint = {
      primary: { resourceGroup: "rg-a", location: "westeurope", vaultName: "contoso-spo-sp-a1" },
      secondary: { resourceGroup: "rg-b", location: "swedencentral", vaultName: "contoso-spo-sp-b1" },
      keyName: "spo-root",
    };
    config.policies.sharePoint = [{ vaultPair: "sharePoint" }];
    writeFileSync(configFile, JSON.stringify(config)); // a new configuration: a new journal
    const started = Date.now();
    let applied: { status: string; keys: Record<string, string> } | undefined;
    for (let run = 0; run < 2 && applied?.status !== "completed"; run++) {
      const result = await cli("apply", "--config", configFile, "--state", state, "--journal", join(dir, "journal-2.json"), "--json");
      expect(result.err).not.toContain("error");
      expect(result.code).toBe(0);
      applied = JSON.parse(result.out);
    }
    expect(applied?.status).toBe("completed");
    const keyUri = applied!.keys["sharePoint/primary"]!.replace(/\/[^/]+$/, "");
    const roll = await cli("roll", keyUri, "--state", state, "--backup-dir", join(dir, "online"), "--json");
    expect(roll.err).not.toContain("error");
    expect(roll.code).toBe(0);
    const seconds = (Date.now() - started) / 1000;
    console.log(`SharePoint apply + roll (4 h + 4 h of emulator clock at 3600×): ${seconds.toFixed(1)} s`);
    // 8 emulated hours are 8 real seconds at 3600×; at wall time they would be 8 hours.
    expect(seconds).toBeLessThan(120);
    const status = JSON.parse((await cli("status", "--config", configFile, "--state", state, "--json")).out);
    // SharePoint reports the rolled version, not the one apply made.
    expect(status.sharePoint).toMatchObject([{ state: "Registered", progressPercent: 100, primaryKeyUri: expect.stringMatching(new RegExp(`^${keyUri}/[0-9a-f]{32}$`)) }]);
    expect(status.sharePoint[0].primaryKeyUri).not.toBe(applied!.keys["sharePoint/primary"]);
  });
});
