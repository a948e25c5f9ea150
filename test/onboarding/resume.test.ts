import { readFile, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../../src/emulator/index.js";
import { startOnboardingFixture, type OnboardingFixture } from "./onboarding-fixture.js";
import { CustomerKeyClient, parseOnboardingConfig, type OnboardingConfig } from "../../src/index.js";

let fixture: OnboardingFixture;
let emulator: Emulator;
let dir: string;
let client: CustomerKeyClient;
let config: OnboardingConfig;
let mailboxes: string[];

beforeAll(async () => {
  fixture = await startOnboardingFixture("resume");
  ({ emulator, dir, client } = fixture);
  const { primary: a, secondary: b } = fixture.base.subscriptions;
  mailboxes = emulator.exchange.listMailboxes({ limit: 60 }).map((m) => m.userPrincipalName);
  config = parseOnboardingConfig({
    ...fixture.base,
    vaultPairs: {
      exchange: { primary: { resourceGroup: "rg-exo-a", location: "westeurope", vaultName: "fabrikam-exo-a1" }, secondary: { resourceGroup: "rg-exo-b", location: "swedencentral", vaultName: "fabrikam-exo-b1" }, keyName: "exo-root" },
    },
    policies: { exchange: [{ name: "All_mailboxes", vaultPair: "exchange", mailboxes: { list: mailboxes } }] },
    microsoft: { onboardingRequestSubmitted: true },
  });
  // Do-Not-Cancel requested and approved up front: this file is about resuming.
  const first = await client.onboarding.beginApply(await client.onboarding.plan(config)).pollUntilDone();
  expect(first.status).toBe("waiting");
  for (const sub of emulator.subscriptionIds) emulator.approveDoNotCancel(sub);
}, 60_000);

afterAll(async () => {
  await fixture?.stop();
});

const setMailboxes = () => emulator.requests.list({ service: "exchange" }).filter((r) => r.operation === "Set-Mailbox" && r.status === 200).length;

describe("onboarding apply resumes from its journal", () => {
  it("after an abort mid-assignment and a crash that lost the key step's record: nothing is duplicated", async () => {
    const journal = path.join(dir, "journal.json");
    // 1. Run until the keys exist, then forget the primary key step (a crash between the create and the journal write).
    const stopAfterKeys = new AbortController();
    await expect(
      client.onboarding.beginApply(await client.onboarding.plan(config), { journal, abortSignal: stopAfterKeys.signal, onProgress: (p) => p.step.id === "keys/exchange/secondary" && stopAfterKeys.abort() }).pollUntilDone(),
    ).rejects.toMatchObject({ code: "ERR_ABORTED" });
    const saved = JSON.parse(await readFile(journal, "utf8")) as { done: string[]; keys: Record<string, string> };
    expect(saved.done).toContain("keys/exchange/primary");
    saved.done = saved.done.filter((id) => id !== "keys/exchange/primary");
    delete saved.keys["exchange/primary"];
    await writeFile(journal, JSON.stringify(saved));

    // 2. Resume with the same plan (made before the keys existed) and abort in the middle of the bulk assignment.
    const plan = await client.onboarding.plan(config);
    emulator.throttle.set("exchange", { requestsPerSecond: 40, burst: 5 });
    const midAssign = new AbortController();
    const watch = setInterval(() => setMailboxes() >= 15 && midAssign.abort(), 5);
    await expect(client.onboarding.beginApply(plan, { journal, abortSignal: midAssign.signal }).pollUntilDone()).rejects.toMatchObject({ code: "ERR_ABORTED" });
    clearInterval(watch);
    emulator.throttle.set("exchange", undefined);
    const partly = setMailboxes();
    expect(partly).toBeGreaterThanOrEqual(15);
    expect(partly).toBeLessThan(mailboxes.length);

    // 3. Resume to the end.
    const result = await client.onboarding.beginApply(plan, { journal }).pollUntilDone();
    expect(result.status).toBe("completed");

    for (const vault of ["fabrikam-exo-a1", "fabrikam-exo-b1"]) {
      const versions: unknown[] = [];
      for await (const v of client.keys.listVersions({ subscriptionId: vault.endsWith("a1") ? config.subscriptions.primary : config.subscriptions.secondary, resourceGroup: vault.endsWith("a1") ? "rg-exo-a" : "rg-exo-b", vaultName: vault }, "exo-root")) versions.push(v);
      expect(versions, `${vault}: one key version`).toHaveLength(1);
    }
    for (const d of config.backups.directories) {
      expect((await readdir(d)).filter((f) => f.endsWith(".backup")), `${d}: one backup per key`).toHaveLength(2);
    }
    expect(setMailboxes(), "each mailbox assigned once").toBe(mailboxes.length);
    expect(emulator.requests.list({ service: "exchange" }).filter((r) => r.operation === "New-DataEncryptionPolicy" && r.status === 200)).toHaveLength(1);
  }, 120_000);

  it("refuses an unfinished journal of another configuration and one that is not a journal; a finished one starts afresh", async () => {
    const journal = path.join(dir, "journal.json");
    const finished = JSON.parse(await readFile(journal, "utf8")) as { completed?: boolean };
    expect(finished.completed).toBe(true);
    const edited = parseOnboardingConfig({ ...JSON.parse(JSON.stringify(config)), policies: { exchange: [{ ...config.policies.exchange[0], description: "edited after the apply" }] } });
    // Unfinished: resuming it for an edited configuration would mix two plans.
    await writeFile(journal, JSON.stringify({ ...finished, completed: undefined }));
    const refused = client.onboarding.beginApply(await client.onboarding.plan(edited), { journal }).pollUntilDone();
    await expect(refused).rejects.toMatchObject({ code: "ERR_JOURNAL_INVALID", message: expect.stringMatching(/has not finished.*delete the journal/) });
    // Finished: the edited configuration gets a new journal (nothing to resume), and nothing was left to change.
    await writeFile(journal, JSON.stringify(finished));
    const since = emulator.requests.size;
    const again = await client.onboarding.beginApply(await client.onboarding.plan(edited), { journal }).pollUntilDone();
    expect(again.status).toBe("completed");
    expect(emulator.requests.mutating(since)).toEqual([]);
    expect((JSON.parse(await readFile(journal, "utf8")) as { fingerprint: string }).fingerprint).not.toBe((finished as { fingerprint?: string }).fingerprint);
    await writeFile(path.join(dir, "not-json.json"), "{");
    await expect(client.onboarding.beginApply(await client.onboarding.plan(config), { journal: path.join(dir, "not-json.json") }).pollUntilDone()).rejects.toMatchObject({ code: "ERR_JOURNAL_INVALID" });
  }, 60_000);
});
