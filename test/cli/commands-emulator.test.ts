/**
 * validate, status and backup against an emulator another process runs (`emulator start --state`),
 * reached with `--state FILE` as an operator would; validate also as a child process, so stdout is
 * the real stdout.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, connectionFileOf, type Connection } from "../../src/cli/connection.js";
import type { VaultPairSpec } from "../../src/index.js";
import { cli, cliChild } from "./cli-harness.js";
import { readStartupJson, waitUntil } from "./emulator-process.js";

describe("customer-key validate, status, backup against `emulator start --state`", () => {
  const dir = mkdtempSync(join(tmpdir(), "ck-cli-cmd-"));
  const state = join(dir, "state.json");
  const configFile = join(dir, "customer-key.config.json");
  let child: ReturnType<typeof spawn>;
  let connection: Connection;
  const keyUris: string[] = [];

  beforeAll(async () => {
    child = spawn(process.execPath, ["--import", "tsx", "src/cli/bin.ts", "emulator", "start", "--state", state], { stdio: ["ignore", "pipe", "pipe"] });
    await readStartupJson(child);
    expect(existsSync(connectionFileOf(state))).toBe(true);
    // An Exchange pair with keys, made through the SDK over the same connection; Do-Not-Cancel left out on purpose.
    connection = await connect({ state });
    const [a, b] = connection.subscriptions as [string, string];
    const spec: VaultPairSpec = {
      workload: "exchange",
      permissionModel: "accessPolicy",
      administrators: [JSON.parse(readFileSync(connectionFileOf(state), "utf8")).admin.userPrincipalName],
      primary: { subscriptionId: a, resourceGroup: "rg-a", location: "westeurope", vaultName: "contoso-exo-eu-a1" },
      secondary: { subscriptionId: b, resourceGroup: "rg-b", location: "swedencentral", vaultName: "contoso-exo-eu-b1" },
    };
    const client = connection.client;
    await client.vaultPairs.beginApply(await client.vaultPairs.plan(spec));
    for (const m of [spec.primary, spec.secondary]) {
      const { key } = await client.keys.create({ subscriptionId: m.subscriptionId, resourceGroup: m.resourceGroup, vaultName: m.vaultName }, "exo-root", { protection: "hsm" });
      keyUris.push(key.versionlessId);
    }
    const info = JSON.parse(readFileSync(connectionFileOf(state), "utf8"));
    const vault = (m: VaultPairSpec["primary"]) => ({ resourceGroup: m.resourceGroup, location: m.location, vaultName: m.vaultName });
    writeFileSync(
      configFile,
      JSON.stringify({
        tenantId: info.tenantId,
        subscriptions: { primary: a, secondary: b },
        administrators: [info.admin.userPrincipalName],
        backups: { directories: ["./online", "./offline"] },
        vaultPairs: { exchange: { primary: vault(spec.primary), secondary: vault(spec.secondary), keyName: "exo-root" } },
      }),
    );
  });

  afterAll(async () => {
    await connection?.close();
    child?.kill("SIGTERM");
    await waitUntil(() => child.exitCode !== null || child.signalCode !== null, 10_000);
    expect(existsSync(connectionFileOf(state))).toBe(false);
  });

  it("backup writes the configuration's keys to every backup directory", async () => {
    const result = await cli("backup", "--config", configFile, "--state", state, "--json");
    expect(result.code).toBe(0);
    const { backups } = JSON.parse(result.out) as { backups: { keyUri: string; file: string }[] };
    expect(backups).toHaveLength(4);
    for (const d of ["online", "offline"]) expect(readdirSync(join(dir, d)).filter((f) => f.endsWith(".backup"))).toHaveLength(2);
    // --key and --to without a configuration
    const other = join(dir, "third");
    const audit = join(dir, "audit.jsonl");
    const single = await cli("backup", "--state", state, "--key", keyUris[0]!, "--to", other, "--config", join(dir, "none.json"), "--audit", audit);
    expect(single.code).toBe(0);
    expect(readdirSync(other).filter((f) => f.endsWith(".backup"))).toHaveLength(1);
    // --audit: one line for the one change, with who and the service's request id, no backup bytes.
    const lines = readFileSync(audit, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { what: string; target: string; requestId?: string; who: { name?: string } });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ what: "backups.backupKey", who: { name: expect.stringContaining("@") }, requestId: expect.any(String) });
  });

  it("validate --json as a child process: only JSON on stdout, exit 1 on failing checks", async () => {
    const result = await cliChild(["validate", "--config", configFile, "--state", state, "--json"]);
    expect(result.code).toBe(1);
    const reports = JSON.parse(result.stdout) as { ok: boolean; checks: { id: string; status: string }[] }[];
    expect(reports).toHaveLength(1);
    expect(reports[0]!.ok).toBe(false);
    // Do-Not-Cancel was never registered: that is the failure.
    expect(reports[0]!.checks.filter((c) => c.status === "fail").map((c) => c.id)).toContain("subscription.doNotCancel");
    expect(reports[0]!.checks.find((c) => c.id === "vault.purgeProtection")?.status).toBe("pass");
  });

  it("validate --format md and text print the report", async () => {
    const md = await cli("validate", "--config", configFile, "--state", state, "--format", "md");
    expect(md.code).toBe(1);
    expect(md.out).toContain("| FAIL | `subscription.doNotCancel`");
    const text = await cli("validate", "--config", configFile, "--state", state);
    expect(text.out).toContain("Result: NOT ready.");
    expect(Math.max(...text.out.split("\n").map((l) => l.length))).toBeLessThanOrEqual(100);
  });

  it("validate --format html writes one self-contained page with the failing check", async () => {
    const out = join(dir, "report.html");
    const result = await cli("validate", "--config", configFile, "--state", state, "--format", "html", "--out", out);
    expect(result.code).toBe(1);
    const html = readFileSync(out, "utf8");
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toContain("subscription.doNotCancel");
    expect(html).toContain("<svg");
    expect(html).not.toMatch(/<script|https?:\/\/[^"'\s]*\.(js|css)/i);
    // With --json the page still goes to the file and stdout holds only the JSON report.
    const both = await cli("validate", "--config", configFile, "--state", state, "--format", "html", "--out", join(dir, "both.html"), "--json");
    expect(both.code).toBe(1);
    expect(readFileSync(join(dir, "both.html"), "utf8")).toMatch(/^<!doctype html>/i);
    expect((JSON.parse(both.out) as { checks: unknown[] }[])[0]!.checks.length).toBeGreaterThan(0);
    const noFile = await cli("validate", "--config", configFile, "--state", state, "--format", "md", "--json");
    expect(noFile.code).toBe(2);
    expect(noFile.err).toContain("ERR_CLI_OUTPUT_REQUIRED");
  });

  it("refuses a configuration written for another tenant before any request (exit 2)", async () => {
    const other = join(dir, "other-tenant.json");
    writeFileSync(other, JSON.stringify({ ...JSON.parse(readFileSync(configFile, "utf8")), tenantId: "00000000-0000-0000-0000-000000000000" }));
    const info = JSON.parse(readFileSync(connectionFileOf(state), "utf8")) as { tenantId: string };
    for (const command of ["plan", "apply", "validate", "status"]) {
      const result = await cli(command, "--config", other, "--state", state);
      expect(result.code, command).toBe(2);
      expect(result.err).toContain("ERR_CLI_TENANT_MISMATCH");
      expect(result.err).toContain(info.tenantId);
    }
  });

  it("plan --json lists the remaining steps in order; nothing is changed", async () => {
    const result = await cli("plan", "--config", configFile, "--state", state, "--json");
    expect(result.code).toBe(0);
    const plan = JSON.parse(result.out) as { steps: { id: string; phase: string; kind: string }[] };
    const phases = [...new Set(plan.steps.map((s) => s.phase))];
    expect(phases[0]).toBe("doNotCancel");
    expect(plan.steps.find((s) => s.phase === "doNotCancel")?.kind).not.toBe("noop");
    // The pair and its keys exist (made in beforeAll), Do-Not-Cancel does not.
    const kinds = Object.fromEntries(plan.steps.map((s) => [s.id, s.kind]));
    expect(kinds).toMatchObject({ "doNotCancel/primary/register": "create", "vaults/exchange": "noop", "keys/exchange/primary": "noop", "keys/exchange/secondary": "noop" });
    const text = await cli("plan", "--config", configFile, "--state", state);
    expect(text.out).toContain("doNotCancel:");
  });

  it("status --json: policies, SharePoint and key versions per workload", async () => {
    const result = await cli("status", "--config", configFile, "--state", state, "--json");
    expect(result.code).toBe(0);
    const status = JSON.parse(result.out);
    expect(status.exchangePolicies).toEqual([]);
    expect(status.multiWorkloadAssignment).toBeNull();
    expect(status.keys.map((k: { keyUri: string; versions: number }) => [k.keyUri, k.versions])).toEqual([
      ["contoso-exo-eu-a1/exo-root", 1],
      ["contoso-exo-eu-b1/exo-root", 1],
    ]);
  });

  it("apply --json runs the plan up to Microsoft's Do-Not-Cancel approval and says it is waiting; exit 0", async () => {
    const journal = join(dir, "journal.json");
    const result = await cli("apply", "--config", configFile, "--state", state, "--journal", journal, "--json");
    expect(result.err).not.toContain("error");
    expect(result.code).toBe(0);
    const applied = JSON.parse(result.out) as { status: string; waitingFor?: { id: string }; changed: string[] };
    expect(applied.status).toBe("waiting");
    expect(applied.waitingFor?.id).toMatch(/^doNotCancel\//);
    expect(applied.changed).toContain("doNotCancel/primary/register");
    expect(existsSync(journal)).toBe(true);
  });
});
