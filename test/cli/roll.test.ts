/**
 * `customer-key roll <keyUri>` through the CLI, against an emulator reached with `--state FILE`
 * (run in this process so the test can read its request log and inject faults): a key used by an
 * Exchange DEP rolled end to end, a second roll, bad input, a vault without rights, and Ctrl-C.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawKeyClient, startScenario, type Scenario } from "../../examples/shared-setup.js";
import { cli } from "./cli-harness.js";
import { waitUntil } from "./emulator-process.js";
import { serviceRequestsSince, shareWithCli } from "./shared-emulator.js";

let scenario: Scenario;
let dir: string;
let state: string;
let primaryKey: string;

beforeAll(async () => {
  scenario = await startScenario();
  dir = mkdtempSync(join(tmpdir(), "ck-cli-roll-"));
  state = shareWithCli(scenario.emulator, dir);
  await scenario.client.policies.exchange.create({ name: "EU_mailboxes", keyUris: scenario.keyUris });
  primaryKey = scenario.keyUris[0]!.replace(/\/[0-9a-f]{32}$/, "");
}, 120_000);

afterAll(async () => {
  await scenario?.stop();
});

const versionOf = (uri: string) => uri.split("/").pop()!;

async function versions(keyUri: string): Promise<string[]> {
  const out: string[] = [];
  const url = new URL(keyUri);
  for await (const p of rawKeyClient(scenario.emulator, url.origin).listPropertiesOfKeyVersions(url.pathname.split("/")[2]!)) out.push(p.version!);
  return out;
}

describe("customer-key roll", () => {
  it("rolls a key an Exchange DEP uses: progress on stderr, only JSON on stdout, exit 0; a second roll makes another version", async () => {
    const backups = join(dir, "backups");
    const first = await cli("roll", primaryKey, "--state", state, "--backup-dir", backups, "--json");
    expect(first.err).not.toContain("error");
    expect(first.code).toBe(0);
    const result = JSON.parse(first.out) as { previousKeyUri: string; newKeyUri: string; backupFile: string; policies: { workload: string; policy: string; status: string }[] };
    expect(versionOf(result.previousKeyUri)).toBe(versionOf(scenario.keyUris[0]!));
    expect(result.newKeyUri).not.toBe(result.previousKeyUri);
    expect(result.policies.map((p) => [p.workload, p.policy, p.status])).toEqual([["exchange", "EU_mailboxes", "confirmed"]]);
    expect(existsSync(result.backupFile)).toBe(true);
    for (const step of ["backup", "discover", "update", "awaitWorkloads", "verify"]) expect(first.err).toMatch(new RegExp(`^  ${step}\\b`, "m"));
    expect(first.err).toContain("exchange:EU_mailboxes=updated");

    const second = await cli("roll", primaryKey, "--state", state, "--backup-dir", backups, "--json");
    expect(second.code).toBe(0);
    const again = JSON.parse(second.out) as typeof result;
    expect(again.previousKeyUri).toBe(result.newKeyUri);
    expect(again.newKeyUri).not.toBe(result.newKeyUri);
    const all = await versions(primaryKey);
    expect(all).toHaveLength(3);
    expect(all).toEqual(expect.arrayContaining([versionOf(result.previousKeyUri), versionOf(result.newKeyUri), versionOf(again.newKeyUri)]));
  });

  it.each([
    ["no /keys/ path", "https://contoso-exo-eu-a1.vault.azure.net/secrets/exo-root", "the path is not /keys/"],
    ["http", "http://contoso-exo-eu-a1.vault.azure.net/keys/exo-root", "not https"],
    ["not a URL", "contoso-exo-eu-a1/exo-root", "not a URL"],
    ["a bad version", "https://contoso-exo-eu-a1.vault.azure.net/keys/exo-root/v2", "32 hex digits"],
  ])("a malformed key URI (%s): exit 2 with the code and the fix, no request, even without a configuration", async (_what, uri, why) => {
    const seq = scenario.emulator.requests.size;
    // No --backup-dir and no configuration file here: the URI is still the error reported.
    const result = await cli("roll", uri, "--state", state, "--config", join(dir, "none.json"));
    expect(result.code).toBe(2);
    expect(result.out).toBe("");
    expect(result.err).toContain("customer-key: error ERR_KEY_ID_INVALID: keyUri");
    expect(result.err).toContain(why);
    expect(result.err).toMatch(/^Fix: Give a key URI as https:\/\/<vault>\.vault\.azure\.net\/keys\/<name>/m);
    expect(result.err).not.toMatch(/\n\s+at /);
    expect(scenario.emulator.requests.list().filter((e) => e.seq >= seq)).toEqual([]);
  });

  it("without --backup-dir, backs the new version up to every backup directory of the configuration", async () => {
    const { spec, emulator } = scenario;
    const member = (m: typeof spec.primary) => ({ resourceGroup: m.resourceGroup, location: m.location, vaultName: m.vaultName });
    const directories = [join(dir, "cfg-online"), join(dir, "cfg-offline")];
    const config = join(dir, "roll.config.json");
    writeFileSync(config, JSON.stringify({
      tenantId: emulator.tenantId,
      subscriptions: { primary: spec.primary.subscriptionId, secondary: spec.secondary.subscriptionId },
      administrators: [emulator.admin.userPrincipalName],
      backups: { directories },
      vaultPairs: { exchange: { primary: member(spec.primary), secondary: member(spec.secondary), keyName: primaryKey.split("/").pop() } },
    }));
    const result = await cli("roll", primaryKey, "--state", state, "--config", config, "--json");
    expect(result.code, result.err).toBe(0);
    expect(JSON.parse(result.out)).toHaveProperty("newKeyUri");
    for (const d of directories) {
      expect(readdirSync(d).filter((f) => f.endsWith(".backup")), d).toHaveLength(1);
      expect((await scenario.client.backups.verify(d)).ok).toBe(true);
    }
  }, 60_000);

  it("a journal that holds no roll of this key: exit 2, the file named and how to start over; no request", async () => {
    const journal = join(dir, "someone-elses.journal.json");
    writeFileSync(journal, "{ not json");
    const seq = scenario.emulator.requests.size;
    const result = await cli("roll", primaryKey, "--state", state, "--backup-dir", join(dir, "backups"), "--journal", journal);
    expect(result.code).toBe(2);
    expect(result.err).toContain(`error ERR_POLLER_STATE_INVALID: The journal ${journal} does not hold a roll of this key`);
    expect(result.err).toContain(`Fix: Pass the right --journal, or delete ${journal} to start a new roll.`);
    expect(scenario.emulator.requests.list().filter((e) => e.seq >= seq)).toEqual([]);
  });

  it("a key in a vault the caller has no rights on: exit 3, the missing permission and the fix; nothing changed", async () => {
    const owner = scenario.emulator.directory.createUser({ userPrincipalName: "other-team" });
    await scenario.emulator.seed.vault({ name: "other-team-kv", accessPolicies: [{ principal: owner.objectId, keys: ["all"] }] });
    await scenario.emulator.seed.key({ vault: "other-team-kv", name: "their-key" });
    const seq = scenario.emulator.requests.size;
    const result = await cli("roll", `${scenario.emulator.endpoints.vaultUrl("other-team-kv")}/keys/their-key`, "--state", state, "--backup-dir", join(dir, "backups"));
    expect(result.code).toBe(3);
    expect(result.err).toContain("customer-key: error ERR_SERVICE_FORBIDDEN:");
    expect(result.err).toContain("does not have keys get permission");
    expect(result.err).toMatch(/^Fix: Grant the signed-in principal/m);
    expect(result.err).not.toMatch(/\n\s+at /);
    expect(scenario.emulator.requests.mutating(seq)).toEqual([]);
  });

  it("Ctrl-C mid-roll exits 130; run again, it resumes from its journal and makes no second version", async () => {
    const backups = join(dir, "backups-sigint");
    const before = await versions(primaryKey);
    // Exchange Online hangs: the roll has made and backed up its new version and is looking for the DEPs using the key.
    const release = scenario.emulator.faults.inject({ service: "exchange", latencyMs: 120_000 });
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/bin.ts", "roll", primaryKey, "--state", state, "--backup-dir", backups], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      await waitUntil(() => /^  discover$/m.test(stdout) || child.exitCode !== null, 60_000);
      expect(stdout).toMatch(/^  discover$/m);
      child.kill("SIGINT");
      expect(await exited).toBe(130);
    } finally {
      release();
      if (child.exitCode === null) child.kill("SIGKILL");
    }
    expect(stderr).toContain("Interrupted: stopping");
    expect(stderr).toContain("error ERR_ABORTED");
    expect(stderr).toMatch(/^Fix: Run the same command again/m);
    const journal = join(backups, `roll-contoso-exo-eu-a1-exo-root.journal.json`);
    expect(existsSync(journal)).toBe(true);
    const made = (await versions(primaryKey)).filter((v) => !before.includes(v));
    expect(made).toHaveLength(1);

    const again = await cli("roll", primaryKey, "--state", state, "--backup-dir", backups, "--json");
    expect(again.code).toBe(0);
    expect(again.err).toContain(`Resuming the roll recorded in ${journal}`);
    const result = JSON.parse(again.out) as { newKeyUri: string; policies: { status: string }[] };
    expect(versionOf(result.newKeyUri)).toBe(made[0]);
    expect(result.policies.map((p) => p.status)).toEqual(["confirmed"]);
    expect((await versions(primaryKey)).filter((v) => !before.includes(v))).toEqual(made);
    expect(existsSync(journal)).toBe(false);
    expect(readdirSync(backups).filter((f) => f.endsWith(".backup"))).toHaveLength(1);
  }, 180_000);
});
