/**
 * Bulk DEP assignment against the emulated Exchange Online throttle (default 50 requests per
 * second, burst 100), two ways in the same run:
 *   1. a sequential loop, what `Get-Mailbox | Set-Mailbox -DataEncryptionPolicy` does: one
 *      Set-Mailbox after the other through ExchangeRestTransport (which retries a 429 after its
 *      Retry-After), for BENCH_SEQ_MS;
 *   2. client.policies.exchange.beginAssign over BENCH_MAILBOXES mailboxes (default 10,000) with a
 *      checkpoint, aborted at 50 % (the crash) and resumed from the checkpoint.
 * Goals (exit code 1 when one is missed): at least 90 % of the throttle budget used by the bulk
 * run, zero failures, zero duplicate assignments (successful Set-Mailbox requests in the emulator's
 * request log equal the number of mailboxes, and every mailbox has the policy at the end), and a
 * resume that sends nothing for the mailboxes the first run assigned.
 *
 *   npm run bench:bulk-assign            (10,000 mailboxes: about 200 s at 50/s)
 *   BENCH_MAILBOXES=2000 BENCH_SEQ_MS=10000 npm run bench:bulk-assign
 * BENCH_LATENCY_MS (default 100) is added to every Exchange request as the real service's answer
 * time; with 0 the emulator answers in a few ms and even a sequential loop nearly keeps up.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { startScenario } from "../../examples/shared-setup.js";
import { ExchangeRestTransport } from "../../src/index.js";

const N = Number(process.env["BENCH_MAILBOXES"] ?? 10_000);
const RPS = Number(process.env["BENCH_RPS"] ?? 50);
const BURST = Number(process.env["BENCH_BURST"] ?? 100);
const SEQ_MS = Number(process.env["BENCH_SEQ_MS"] ?? 20_000);
/** Added to every Exchange request, as the real gateway's answer time (Set-Mailbox takes hundreds of ms there); 0 = the emulator's own. */
const LATENCY_MS = Number(process.env["BENCH_LATENCY_MS"] ?? 100);
const SEQ_POOL = 5_000; // mailboxes reserved for the sequential loop (it stops after SEQ_MS)
const POLICY = "Bench_DEP";

async function main(): Promise<boolean> {
  const scenario = await startScenario();
  const { client, emulator, keyUris } = scenario;
  const dir = await mkdtemp(path.join(tmpdir(), "ck-bench-bulk-"));
  try {
    emulator.exchange.addMailboxes(N + SEQ_POOL - emulator.exchange.mailboxCount);
    await client.policies.exchange.create({ name: POLICY, keyUris });
    const all = emulator.exchange.listMailboxes({ limit: N + SEQ_POOL }).map((m) => m.userPrincipalName);
    const bulkList = all.slice(0, N);
    const seqList = all.slice(N);
    const exchangeLog = () => emulator.requests.list({ service: "exchange" });
    const since = (seq: number) => exchangeLog().filter((r) => r.seq >= seq);

    if (LATENCY_MS > 0) emulator.faults.inject({ service: "exchange", latencyMs: LATENCY_MS });
    // 1. The sequential loop.
    const transport = new ExchangeRestTransport({ credential: emulator.credentialFor(emulator.admin.userPrincipalName), tenantId: emulator.tenantId, endpoint: emulator.endpoints.exchange, ...emulator.clientOptions() });
    emulator.throttle.set("exchange", { requestsPerSecond: RPS, burst: BURST });
    let seqStart = emulator.requests.size;
    let t0 = performance.now();
    let seqDone = 0;
    while (performance.now() - t0 < SEQ_MS && seqDone < seqList.length) {
      await transport.invoke({ cmdlet: "Set-Mailbox", parameters: { Identity: seqList[seqDone]!, DataEncryptionPolicy: POLICY } });
      seqDone++;
    }
    const seqSeconds = (performance.now() - t0) / 1000;
    const seqLog = since(seqStart);
    const seqOk = seqLog.filter((r) => r.status === 200).length;
    const seq = {
      mailboxes: seqDone,
      seconds: seqSeconds,
      perSecond: seqDone / seqSeconds,
      throttled: seqLog.filter((r) => r.status === 429).length,
      budgetUsed: seqOk / (BURST + RPS * seqSeconds),
      projectedSecondsFor: (N / (seqDone / seqSeconds)),
    };

    // 2. The bulk run: aborted at 50 %, resumed from the checkpoint.
    emulator.throttle.set("exchange", { requestsPerSecond: RPS, burst: BURST }); // a full bucket, as for the loop
    const checkpoint = path.join(dir, "checkpoint.json");
    const bulkStart = emulator.requests.size;
    t0 = performance.now();
    const abort = new AbortController();
    let firstDone = 0;
    const first = client.policies.exchange.beginAssign(bulkList, POLICY, {
      checkpoint,
      abortSignal: abort.signal,
      onProgress: (p) => {
        firstDone = p.done;
        if (p.done >= N / 2) abort.abort(new Error("simulated crash at 50 %"));
      },
    });
    const crashed = await first.then(() => false, (e: { code?: string }) => e.code === "ERR_ABORTED");
    const firstSeconds = (performance.now() - t0) / 1000;
    const afterCrash = emulator.requests.size;
    const firstOk = since(bulkStart).filter((r) => r.operation === "Set-Mailbox" && r.status === 200).length;
    const second = await client.policies.exchange.beginAssign(bulkList, POLICY, { checkpoint });
    const bulkSeconds = (performance.now() - t0) / 1000;
    const bulkLog = since(bulkStart);
    const secondSets = since(afterCrash).filter((r) => r.operation === "Set-Mailbox" && r.status === 200).length;
    const setOk = bulkLog.filter((r) => r.operation === "Set-Mailbox" && r.status === 200).length;
    const okRequests = bulkLog.filter((r) => r.status === 200).length;
    const budgetUsed = okRequests / (BURST + RPS * bulkSeconds);

    // Every bulk mailbox has the policy now (one paged read).
    emulator.throttle.set("exchange", undefined);
    const rows = (await transport.invoke({ cmdlet: "Get-Mailbox" })).value;
    const assigned = new Set(rows.filter((r) => r["DataEncryptionPolicy"] === POLICY).map((r) => String(r["UserPrincipalName"]).toLowerCase()));
    const missing = bulkList.filter((m) => !assigned.has(m.toLowerCase())).length;

    const bulk = {
      mailboxes: N,
      seconds: bulkSeconds,
      perSecond: N / bulkSeconds,
      crashedAt: firstDone,
      firstRunSeconds: firstSeconds,
      firstRunSetMailbox: firstOk,
      resumeSetMailbox: secondSets,
      resumeSkipped: second.skipped,
      failures: second.failed,
      throttled: bulkLog.filter((r) => r.status === 429).length,
      setMailboxOk: setOk,
      duplicates: setOk - N,
      missing,
      budgetUsed,
    };
    const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
    console.log(`Throttle: ${RPS} requests/s, burst ${BURST}; ${N} mailboxes; ${LATENCY_MS} ms added to each Exchange request.`);
    console.log(`| run | mailboxes | seconds | per second | 429s | budget used |`);
    console.log(`|---|---:|---:|---:|---:|---:|`);
    console.log(`| sequential Set-Mailbox loop (${SEQ_MS / 1000} s sample) | ${seq.mailboxes} | ${seq.seconds.toFixed(1)} | ${seq.perSecond.toFixed(1)} | ${seq.throttled} | ${pct(seq.budgetUsed)} |`);
    console.log(`| beginAssign (crash at 50 %, resumed) | ${N} | ${bulk.seconds.toFixed(1)} | ${bulk.perSecond.toFixed(1)} | ${bulk.throttled} | ${pct(bulk.budgetUsed)} |`);
    console.log(`Sequential loop projected for ${N}: ${seq.projectedSecondsFor.toFixed(0)} s.`);
    console.log(`Crash: aborted at ${bulk.crashedAt} done (${bulk.firstRunSetMailbox} Set-Mailbox sent, ${bulk.firstRunSeconds.toFixed(1)} s); the resume skipped ${bulk.resumeSkipped} and sent ${bulk.resumeSetMailbox} successful Set-Mailbox.`);
    console.log(`Set-Mailbox 200s in the bulk window: ${bulk.setMailboxOk} for ${N} mailboxes (duplicates ${bulk.duplicates}); failures ${bulk.failures}; without the policy at the end: ${bulk.missing}.`);
    for (const f of second.failures) console.log(`failed for good: ${f.mailbox}: ${f.code}: ${f.message}`);
    console.log(JSON.stringify({ sequential: seq, bulk }));
    const goals = [
      [bulk.budgetUsed >= 0.9, "at least 90 % of the throttle budget used"],
      [bulk.failures === 0, "zero failures"],
      [bulk.duplicates === 0 && bulk.missing === 0, "zero duplicate assignments, every mailbox assigned"],
      [crashed && bulk.firstRunSetMailbox + bulk.resumeSetMailbox === N, "the resume re-sent nothing of the first run"],
    ] as const;
    for (const [met, goal] of goals) console.log(`${met ? "met" : "MISSED"}: ${goal}`);
    return goals.every(([met]) => met);
  } finally {
    await rm(dir, { recursive: true, force: true });
    await scenario.stop();
  }
}

main().then(
  (ok) => {
    process.exitCode = ok ? 0 : 1;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
