/**
 * Issue 14, reliability: the onboarding apply killed with SIGKILL at 20 different points, then
 * resumed from its journal. The apply runs in a child process (fixtures/apply-child.ts) against an
 * emulator of this process; each round kills it at another point: after its n-th progress line of
 * that round plus a delay that moves the kill into the next step (a key creation, a backup, a bulk
 * assignment in flight). A last run without a kill completes. Then: every key exactly one version,
 * every backup present in both directories and matching its manifest (none lost or overwritten),
 * each policy once, every mailbox under its policy with exactly one successful Set-Mailbox in the
 * emulator's request log.
 *
 * It found that a kill during `vaults/multiWorkload` left a vault without access policies on which
 * the resumed run's onboarding.plan failed (403 reading the key); test/onboarding/half-made-vault
 * covers that case alone. It takes about 100 s (21 child processes under tsx).
 * Opt-in (CK_RELIABILITY_KILL=1): it passes alone (20 kills, 103 s), but run in parallel with the
 * other test files the kill points are timing-bound, and once the apply finished before the 20th
 * kill (19 kills, so the count check failed); it needs kill points that do not depend on load first.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { CustomerKeyClient, parseOnboardingConfig, type OnboardingConfig } from "../../src/index.js";

const KILLS = 20;
const MAILBOXES = 60;
const CHILD = path.join(import.meta.dirname, "fixtures/apply-child.ts");
const PRELOAD = path.join(import.meta.dirname, "../../src/cli/emulator-preload.ts");

let emulator: Emulator;
let dir: string;
let client: CustomerKeyClient;
let config: OnboardingConfig;
let rawConfig: Record<string, unknown>;
let mailboxes: string[];

beforeAll(async () => {
  emulator = await startEmulator();
  dir = await mkdtemp(path.join(tmpdir(), "ck-reliability-kill-"));
  await writeFile(path.join(dir, "ca.pem"), emulator.caCertificate);
  client = new CustomerKeyClient(emulator.credential(), { ...emulator.customerKeyClientOptions(), pollIntervalInMs: 10 });
  const [a, b] = emulator.subscriptionIds as [string, string];
  mailboxes = emulator.exchange.listMailboxes({ limit: MAILBOXES }).map((m) => m.userPrincipalName);
  rawConfig = {
    tenantId: emulator.tenantId,
    subscriptions: { primary: a, secondary: b },
    administrators: [emulator.admin.userPrincipalName],
    keys: { size: 3072, protection: "hsm" },
    backups: { directories: [path.join(dir, "online"), path.join(dir, "offline")] },
    vaultPairs: {
      exchange: { primary: { resourceGroup: "rg-exo-a", location: "westeurope", vaultName: "contoso-exo-eu-a1" }, secondary: { resourceGroup: "rg-exo-b", location: "swedencentral", vaultName: "contoso-exo-eu-b1" }, keyName: "exo-root" },
      multiWorkload: { primary: { resourceGroup: "rg-m365-a", location: "westeurope", vaultName: "contoso-m365-eu-a1" }, secondary: { resourceGroup: "rg-m365-b", location: "swedencentral", vaultName: "contoso-m365-eu-b1" }, keyName: "m365-root" },
    },
    policies: {
      exchange: [
        { name: "EU_mailboxes", vaultPair: "exchange", mailboxes: { list: mailboxes.slice(0, MAILBOXES / 2) } },
        { name: "US_mailboxes", vaultPair: "exchange", mailboxes: { list: mailboxes.slice(MAILBOXES / 2) } },
      ],
      multiWorkload: { name: "Tenant_default", vaultPair: "multiWorkload" },
    },
    microsoft: { onboardingRequestSubmitted: true },
  };
  config = parseOnboardingConfig(rawConfig);
  // Do-Not-Cancel requested and approved first (Microsoft's part: the apply waits for it otherwise).
  for (const subscriptionId of [a, b]) {
    const poller = client.subscriptions.beginRegisterDoNotCancel(subscriptionId);
    await poller.poll();
    emulator.approveDoNotCancel(subscriptionId);
    await poller.pollUntilDone();
  }
}, 60_000);

afterAll(async () => {
  await emulator?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Round {
  lines: string[];
  killed: boolean;
  code: number | null;
}

/** Runs the child; kills it with SIGKILL `delayMs` after it reports step `atStep` (of the whole plan) or a later one (never when undefined). */
async function runChild(input: string, kill?: { atStep: number; delayMs: number }): Promise<Round> {
  const child = spawn(process.execPath, ["--import", "tsx", "--import", PRELOAD, CHILD, input], {
    env: { ...process.env, NODE_EXTRA_CA_CERTS: path.join(dir, "ca.pem"), NODE_OPTIONS: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  let stderr = "";
  let killed = false;
  let buffer = "";
  child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
  child.stdout!.on("data", (c: Buffer) => {
    buffer += c.toString();
    const parts = buffer.split("\n");
    buffer = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      const reached = /^progress (\d+)\//.exec(line);
      if (kill && !killed && reached && Number(reached[1]) >= kill.atStep) {
        killed = true;
        setTimeout(() => child.kill("SIGKILL"), kill.delayMs);
      }
    }
  });
  const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
  if (!killed && code !== 0) throw new Error(`apply child failed (${code}): ${stderr.slice(-2000)}`);
  return { lines, killed, code };
}

describe.skipIf(!process.env.CK_RELIABILITY_KILL)("apply killed with SIGKILL and resumed from the journal", () => {
  it(`completes after ${KILLS} kills with nothing lost and nothing done twice`, { timeout: 420_000 }, async () => {
    const input = path.join(dir, "child-input.json");
    const journal = path.join(dir, "journal.json");
    const { endpoints } = emulator.customerKeyClientOptions();
    await writeFile(input, JSON.stringify({
      connection: { tenantId: emulator.tenantId, authorityHost: emulator.endpoints.authorityHost, endpoints, user: emulator.admin.userPrincipalName, password: emulator.admin.password },
      config: rawConfig,
      journal,
    }));
    emulator.throttle.set("exchange", { requestsPerSecond: 100, burst: 20 });
    const started = Date.now();
    const killPoints: string[] = [];
    let finished = false;
    for (let round = 0; round < KILLS && !finished; round++) {
      // Where: after step 4 to 24 of the 27 (spread over the rounds), then 0–400 ms into what follows
      // (a vault being made, a key, a backup, a bulk assignment in flight).
      const kill = { atStep: 4 + Math.round((round * 20) / (KILLS - 1)), delayMs: (round * 97) % 401 };
      const result = await runChild(input, kill);
      const last = result.lines.filter((l) => l.startsWith("progress")).at(-1) ?? "(before any step)";
      if (result.lines.some((l) => l.startsWith("result"))) finished = true;
      else killPoints.push(`${last} +${kill.delayMs} ms`);
    }
    const final = await runChild(input);
    emulator.throttle.set("exchange", undefined);
    const wallMs = Date.now() - started;
    const result = final.lines.find((l) => l.startsWith("result"));
    process.stdout.write(`[reliability] kill-resume: ${killPoints.length} kills in ${wallMs} ms; points:\n  ${killPoints.join("\n  ")}\n  final: ${result}\n`);
    expect(killPoints.length).toBe(KILLS);
    expect(new Set(killPoints).size).toBe(KILLS);
    expect(JSON.parse(result!.slice(7)).status).toBe("completed");

    // Keys: exactly one version each.
    for (const [pair, keyName] of [["exchange", "exo-root"], ["multiWorkload", "m365-root"]] as const) {
      const vaults = rawConfig.vaultPairs as Record<string, { primary: { resourceGroup: string; vaultName: string }; secondary: { resourceGroup: string; vaultName: string } }>;
      for (const [member, subscriptionId] of [["primary", emulator.subscriptionIds[0]!], ["secondary", emulator.subscriptionIds[1]!]] as const) {
        const v = vaults[pair]![member];
        const versions = [];
        for await (const version of client.keys.listVersions({ subscriptionId, resourceGroup: v.resourceGroup, vaultName: v.vaultName }, keyName)) versions.push(version);
        expect(versions.length, `${pair} ${member}`).toBe(1);
      }
    }
    // Backups: in both directories, every file matching its manifest, one per key at least.
    for (const directory of config.backups.directories) {
      const verified = await client.backups.verify(directory);
      expect(verified.ok, JSON.stringify(verified.files)).toBe(true);
      expect((await readdir(directory)).filter((f) => f.endsWith(".backup")).length).toBeGreaterThanOrEqual(4);
    }
    // Policies once each, the tenant's assignment.
    const names: string[] = [];
    for await (const p of client.policies.exchange.list()) names.push(p.name);
    expect(names.sort()).toEqual(["EU_mailboxes", "US_mailboxes"]);
    expect((await client.policies.multiWorkload.getAssignment())?.policyName).toBe("Tenant_default");
    // Every mailbox under its policy, one successful Set-Mailbox each.
    for (const [i, mailbox] of mailboxes.entries()) {
      expect((await client.policies.exchange.getMailboxEncryption(mailbox)).assignedPolicyName, mailbox).toBe(i < MAILBOXES / 2 ? "EU_mailboxes" : "US_mailboxes");
    }
    const setMailbox = emulator.requests.list({ service: "exchange", operation: "Set-Mailbox" }).filter((e) => e.status === 200);
    expect(setMailbox.length).toBe(MAILBOXES);
  });
});
