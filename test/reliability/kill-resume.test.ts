/**
 * Issue 14, reliability: the onboarding apply killed with SIGKILL at 20 different points, then
 * resumed from its journal. The apply runs in a child process (fixtures/apply-child.ts) against an
 * emulator of this process. Kill points come from what the emulator sees, never from wall time:
 * each round hangs the n-th request of one operation of that round (a `hang` fault rule with
 * `skip`), either before the service acts (`request`: it never happened) or after it acted and
 * saved its state (`response`: a vault, key, policy or Set-Mailbox made, the answer never read, so
 * nothing journaled or checkpointed), and kills the child once `requests.waitFor` sees the hang.
 * The 20 points cover every phase: vault pairs and their access, keys, backups, policies (the
 * SharePoint registration among them), the bulk assignment in flight, the multi-workload
 * assignment. A point the child does not reach fails the test. A last run without a kill completes.
 * Then: every key exactly one version (one successful CreateKey each), every backup present in
 * both directories and matching its manifest (none lost, none twice), each policy once, every
 * mailbox under its policy with exactly one successful Set-Mailbox in the emulator's request log.
 *
 * It found that a kill during `vaults/multiWorkload` left a vault without access policies on which
 * the resumed run's onboarding.plan failed (403 reading the key); test/onboarding/half-made-vault
 * covers that case alone.
 *
 * The child and the emulator preload are bundled once with tsup (one file each, packages left to
 * node_modules): a child then starts in about a second less than under tsx, which adds up over 21
 * children on a loaded machine.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { build } from "tsup";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator, type FaultRule } from "../../src/emulator/index.js";
import { CustomerKeyClient, parseOnboardingConfig, type OnboardingConfig } from "../../src/index.js";
import { registerDoNotCancelApproved } from "../helpers/do-not-cancel.js";

const MAILBOXES = 60;
const CHILD = path.join(import.meta.dirname, "fixtures/apply-child.ts");
const PRELOAD = path.join(import.meta.dirname, "../../src/cli/emulator-preload.ts");
// Inside the repository so the bundles' imports of @azure/* resolve from its node_modules.
const BUNDLES = path.join(import.meta.dirname, "../../node_modules/.cache/customer-key-kill-resume", String(process.pid));

/** Where a round kills the child: the `nth` request of `operation` in that round, held before or after the service acted. */
interface KillPoint {
  operation: string;
  nth: number;
  stage: NonNullable<FaultRule["stage"]>;
}
const point = (stage: KillPoint["stage"], operation: string, nth: number): KillPoint => ({ operation, nth, stage });

/**
 * In plan order; each round resumes where the previous one was killed. The comments say what the
 * round is expected to reach (the exchange pair, then sharePoint, then multiWorkload; keys and
 * backups exo, spo, m365, primary before secondary); a point the round does not reach fails the test.
 */
const KILL_POINTS: KillPoint[] = [
  point("request", "ResourceGroups_CreateOrUpdate", 2), // exchange: the secondary's resource group never made
  point("response", "Vaults_CreateOrUpdate", 1), // exchange: primary vault made, answer lost
  point("request", "Vaults_UpdateAccessPolicy", 2), // exchange: access half given
  point("response", "Vaults_UpdateAccessPolicy", 3), // exchange: the last access policy given, step not journaled
  point("response", "Vaults_CreateOrUpdate", 2), // sharePoint: both vaults made, no access yet
  point("response", "Vaults_CreateOrUpdate", 1), // multiWorkload: a vault made without access policies
  point("request", "CreateKey", 1), // exchange primary key never made
  point("response", "CreateKey", 1), // exchange primary key made, its id never journaled
  point("response", "CreateKey", 3), // sharePoint secondary key made, never journaled
  point("request", "CreateKey", 2), // multiWorkload secondary key never made
  point("response", "BackupKey", 1), // a backup blob served, never written
  point("request", "BackupKey", 4),
  point("response", "BackupKey", 6),
  point("response", "New-DataEncryptionPolicy", 1), // an Exchange DEP made, answer lost
  point("response", "OnboardTenantForBringYourOwnKey", 1), // SharePoint registered, answer lost
  point("request", "New-M365DataAtRestEncryptionPolicy", 1),
  point("response", "Set-Mailbox", 10), // bulk assignment in flight, a mailbox set but not checkpointed
  point("request", "Set-Mailbox", 3),
  point("response", "Set-Mailbox", 1),
  point("response", "Set-M365DataAtRestEncryptionPolicyAssignment", 1), // the tenant assigned, answer lost
];

let emulator: Emulator;
let dir: string;
let client: CustomerKeyClient;
let config: OnboardingConfig;
let rawConfig: Record<string, unknown>;
let mailboxes: string[];

const pairs = {
  exchange: { primary: { resourceGroup: "rg-exo-a", location: "westeurope", vaultName: "contoso-exo-eu-a1" }, secondary: { resourceGroup: "rg-exo-b", location: "swedencentral", vaultName: "contoso-exo-eu-b1" }, keyName: "exo-root" },
  sharePoint: { primary: { resourceGroup: "rg-spo-a", location: "westeurope", vaultName: "contoso-spo-eu-a1" }, secondary: { resourceGroup: "rg-spo-b", location: "swedencentral", vaultName: "contoso-spo-eu-b1" }, keyName: "spo-root" },
  multiWorkload: { primary: { resourceGroup: "rg-m365-a", location: "westeurope", vaultName: "contoso-m365-eu-a1" }, secondary: { resourceGroup: "rg-m365-b", location: "swedencentral", vaultName: "contoso-m365-eu-b1" }, keyName: "m365-root" },
};

beforeAll(async () => {
  await build({
    entry: { "apply-child": CHILD, preload: PRELOAD }, outDir: BUNDLES, format: ["esm"], platform: "node", target: "node20",
    config: false, silent: true, dts: false, sourcemap: false, splitting: false, outExtension: () => ({ js: ".mjs" }),
  });
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
    // 2048 bits: the emulator makes RSA keys for real, and 3072-bit ones cost a second each.
    keys: { size: 2048, protection: "hsm" },
    backups: { directories: [path.join(dir, "online"), path.join(dir, "offline")] },
    vaultPairs: pairs,
    policies: {
      exchange: [
        { name: "EU_mailboxes", vaultPair: "exchange", mailboxes: { list: mailboxes.slice(0, MAILBOXES / 2) } },
        { name: "US_mailboxes", vaultPair: "exchange", mailboxes: { list: mailboxes.slice(MAILBOXES / 2) } },
      ],
      sharePoint: [{ vaultPair: "sharePoint" }],
      multiWorkload: { name: "Tenant_default", vaultPair: "multiWorkload" },
    },
    microsoft: { onboardingRequestSubmitted: true },
  };
  config = parseOnboardingConfig(rawConfig);
  // Do-Not-Cancel requested and approved first (Microsoft's part: the apply waits for it otherwise).
  await registerDoNotCancelApproved(client, emulator, [a, b]);
}, 60_000);

afterAll(async () => {
  await emulator?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
  await rm(BUNDLES, { recursive: true, force: true });
});

interface Child {
  process: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
  stderr: () => string;
}

function startChild(input: string): Child {
  const child = spawn(process.execPath, ["--import", path.join(BUNDLES, "preload.mjs"), path.join(BUNDLES, "apply-child.mjs"), input], {
    env: { ...process.env, NODE_EXTRA_CA_CERTS: path.join(dir, "ca.pem"), NODE_OPTIONS: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  let stderr = "";
  let buffer = "";
  child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
  child.stdout!.on("data", (c: Buffer) => {
    buffer += c.toString();
    const parts = buffer.split("\n");
    buffer = parts.pop()!;
    lines.push(...parts);
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { process: child, lines, exited, stderr: () => stderr };
}

/** Successful requests of an operation, counting those whose answer a fault kept from the client. */
const succeeded = (operation: string) =>
  emulator.requests.list({ operation }).filter((e) => (e.serviceStatus ?? e.status) >= 200 && (e.serviceStatus ?? e.status) < 300);

describe("apply killed with SIGKILL and resumed from the journal", () => {
  it(`completes after ${KILL_POINTS.length} kills with nothing lost and nothing done twice`, { timeout: 420_000 }, async () => {
    const input = path.join(dir, "child-input.json");
    const journal = path.join(dir, "journal.json");
    const { endpoints } = emulator.customerKeyClientOptions();
    await writeFile(input, JSON.stringify({
      connection: { tenantId: emulator.tenantId, authorityHost: emulator.endpoints.authorityHost, endpoints, user: emulator.admin.userPrincipalName, password: emulator.admin.password },
      config: rawConfig,
      journal,
    }));
    const started = Date.now();
    const reached: string[] = [];
    const distinct = new Set<string>();
    for (const [round, kill] of KILL_POINTS.entries()) {
      const label = `${round + 1}. ${kill.stage} ${kill.operation} #${kill.nth}`;
      const roundStarted = Date.now();
      const remove = emulator.faults.inject({ operation: kill.operation, stage: kill.stage, skip: kill.nth - 1, count: 1, mode: "hang" });
      const stopWaiting = new AbortController();
      const held = emulator.requests.waitFor((e) => e.fault === "hang", { abortSignal: stopWaiting.signal });
      const child = startChild(input);
      const first = await Promise.race([held, child.exited.then((code) => ({ exited: code }))]);
      if ("exited" in first) {
        stopWaiting.abort();
        remove();
        await held.catch(() => undefined);
        throw new Error(`Kill point ${label} not reached: the child exited (${first.exited}) first; last: ${child.lines.at(-1) ?? "(nothing)"}\n${child.stderr().slice(-2000)}`);
      }
      child.process.kill("SIGKILL");
      await child.exited;
      remove();
      const step = child.lines.filter((l) => l.startsWith("progress")).at(-1) ?? "(before any step)";
      const acted = first.serviceStatus !== undefined ? ` (served ${first.serviceStatus}, answer held)` : " (never served)";
      reached.push(`${label}: ${first.operation} ${first.path}${acted} after ${step} (${Date.now() - roundStarted} ms)`);
      distinct.add(`${kill.stage} ${first.operation} #${kill.nth} ${first.path}`);
    }
    const final = startChild(input);
    const code = await final.exited;
    const wallMs = Date.now() - started;
    const result = final.lines.find((l) => l.startsWith("result"));
    process.stdout.write(`[reliability] kill-resume: ${reached.length} kills in ${wallMs} ms:\n  ${reached.join("\n  ")}\n  final: ${result}\n`);
    expect(code, final.stderr().slice(-2000)).toBe(0);
    expect(reached.length).toBe(20);
    // 20 different points: no two rounds held the same request (stage, operation, index, path).
    expect(distinct.size).toBe(20);
    expect(JSON.parse(result!.slice(7)).status).toBe("completed");

    // Keys: exactly one version each, one successful CreateKey each.
    for (const [pair, spec] of Object.entries(pairs)) {
      for (const [member, subscriptionId] of [["primary", emulator.subscriptionIds[0]!], ["secondary", emulator.subscriptionIds[1]!]] as const) {
        const v = spec[member];
        const versions = [];
        for await (const version of client.keys.listVersions({ subscriptionId, resourceGroup: v.resourceGroup, vaultName: v.vaultName }, spec.keyName)) versions.push(version);
        expect(versions.length, `${pair} ${member}`).toBe(1);
      }
    }
    expect(succeeded("CreateKey").length).toBe(6);
    // Backups: in both directories, every file matching its manifest, exactly one per key.
    const journaled = JSON.parse(await readFile(journal, "utf8")) as { keys: Record<string, string> };
    expect(Object.keys(journaled.keys)).toHaveLength(6);
    for (const directory of config.backups.directories) {
      const verified = await client.backups.verify(directory);
      expect(verified.ok, JSON.stringify(verified.files)).toBe(true);
      expect(verified.files.map((f) => f.status)).toEqual(Array(6).fill("ok"));
      expect(new Set(verified.files.map((f) => f.keyId!.toLowerCase()))).toEqual(new Set(Object.values(journaled.keys).map((id) => id.replace(/\/[0-9a-f]{32}$/i, "").toLowerCase())));
      expect((await readdir(directory)).filter((f) => f.endsWith(".backup"))).toHaveLength(6);
    }
    // Policies once each, the SharePoint registration once, the tenant's assignment.
    const names: string[] = [];
    for await (const p of client.policies.exchange.list()) names.push(p.name);
    expect(names.sort()).toEqual(["EU_mailboxes", "US_mailboxes"]);
    expect(succeeded("New-DataEncryptionPolicy").length).toBe(2);
    expect(succeeded("New-M365DataAtRestEncryptionPolicy").length).toBe(1);
    expect(succeeded("OnboardTenantForBringYourOwnKey").length).toBe(1);
    expect((await client.policies.sharePoint.get()).primaryKeyUri?.toLowerCase()).toContain("contoso-spo-eu-a1");
    expect((await client.policies.multiWorkload.getAssignment())?.policyName).toBe("Tenant_default");
    // Every mailbox under its policy, one successful Set-Mailbox each.
    for (const [i, mailbox] of mailboxes.entries()) {
      expect((await client.policies.exchange.getMailboxEncryption(mailbox)).assignedPolicyName, mailbox).toBe(i < MAILBOXES / 2 ? "EU_mailboxes" : "US_mailboxes");
    }
    expect(succeeded("Set-Mailbox").length).toBe(MAILBOXES);
  });
});
