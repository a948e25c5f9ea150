/**
 * Scenario: encrypt mailboxes with your own keys. Create a data encryption policy (DEP) from the
 * vault pair's two keys, assign it to 200 mailboxes with progress (paced to Exchange Online's
 * throttle, resumable from a checkpoint), wait out the mailbox moves (up to 72 hours; the
 * emulator's clock is advanced), and print each mailbox's encryption status.
 *
 *   node --import tsx examples/exchange-policy.ts
 */
import path from "node:path";
import { runIfMain } from "./run-example.js";
import { startScenario } from "./shared-setup.js";
import type { BulkAssignResult, MailboxEncryption } from "../src/index.js";

export interface ExchangePolicyResult {
  ok: boolean;
  assignment: BulkAssignResult;
  /** Mailbox → encryption status after the moves. */
  status: MailboxEncryption[];
}

export async function main({ log = console.log }: { log?: (line: string) => void } = {}): Promise<ExchangePolicyResult> {
  const scenario = await startScenario();
  const { client, emulator, keyUris } = scenario;
  try {
    log("1. Create the DEP from the pair's two keys (checked first: name, two vaults in two subscriptions, live keys)");
    const { policy, created } = await client.policies.exchange.create({ name: "EU_mailboxes", description: "EU mailboxes under our keys", keyUris });
    log(`   ${created ? "created" : "already there"}: ${policy.name} (${policy.id}), keys:`);
    for (const uri of policy.keyUris) log(`     ${uri}`);
    // Running it again is a no-op: same name, same keys.
    const again = await client.policies.exchange.create({ name: "EU_mailboxes", keyUris });
    log(`   again: created = ${again.created}`);

    log("2. Assign it to 200 mailboxes (Exchange Online throttles: here 50 requests per second, burst 100)");
    emulator.throttle.set("exchange", { requestsPerSecond: 50, burst: 100 });
    const mailboxes = emulator.exchange.listMailboxes({ limit: 200 }).map((m) => m.userPrincipalName);
    const checkpoint = path.join(scenario.backupDirectory, "assign-EU_mailboxes.json");
    let nextLine = 0;
    const assignment = await client.policies.exchange.beginAssign(mailboxes, "EU_mailboxes", {
      checkpoint,
      onProgress: (p) => {
        if (p.done + p.failed < nextLine) return;
        nextLine = p.done + p.failed + 50;
        log(`   done ${p.done}, failed ${p.failed}, remaining ${p.remaining ?? "?"}, ${p.rate.toFixed(1)}/s, throttled ${p.throttled}`);
      },
    });
    log(`   finished: ${assignment.done} assigned, ${assignment.failed} failed, ${assignment.throttled} throttled answers, ${assignment.rate.toFixed(1)} per second`);
    // A second run over the same list with the same checkpoint sends nothing.
    const second = await client.policies.exchange.beginAssign(mailboxes, "EU_mailboxes", { checkpoint });
    log(`   second run: ${second.skipped} skipped, ${second.requests} requests`);
    emulator.throttle.set("exchange", undefined);

    log("3. Exchange moves each mailbox to its new key within 72 hours (the emulator's clock is advanced)");
    const sample = mailboxes.slice(0, 5);
    const before = await client.policies.exchange.getMailboxEncryption(sample[0]!);
    log(`   right after assignment: ${sample[0]} encrypted = ${before.isEncrypted}`);
    emulator.clock.advance(72 * 3600_000);

    log("4. Status");
    const status: MailboxEncryption[] = [];
    log(`   ${"mailbox".padEnd(40)} ${"encrypted".padEnd(9)} policy`);
    for (const mailbox of sample) {
      const s = await client.policies.exchange.getMailboxEncryption(mailbox);
      status.push(s);
      log(`   ${mailbox.padEnd(40)} ${String(s.isEncrypted).padEnd(9)} ${s.policyName ?? "-"} ${s.policyId ?? ""}`);
    }
    log(`   … and ${mailboxes.length - sample.length} more`);
    const ok = assignment.done === 200 && assignment.failed === 0 && second.requests === 0 && status.every((s) => s.isEncrypted && s.policyName === "EU_mailboxes");
    return { ok, assignment, status };
  } finally {
    await scenario.stop();
  }
}

runIfMain(import.meta.url, main);
