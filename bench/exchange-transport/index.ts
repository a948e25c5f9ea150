/**
 * Set-Mailbox through ExchangeRestTransport against the emulated Exchange Online (throttle off):
 * one at a time, 8 in flight, and in $batch requests of 10, next to a bare HTTPS POST loop to the
 * same InvokeCommand URL (node:https, the same agent, one token fetched up front) — what the
 * transport's pipeline, retry wrapper, operation span and parsing cost over the wire itself.
 * Run: node --import tsx bench/exchange-transport/index.ts (BENCH_MS sets the time per row).
 */
import { request } from "node:https";
import { startEmulator } from "../../src/emulator/index.js";
import { ExchangeRestTransport, type ExchangeCommand } from "../../src/index.js";

const DURATION_MS = Number(process.env["BENCH_MS"] ?? 3000);
const MAILBOXES = 1000;

interface Row {
  label: string;
  inFlight: number;
  /** Set-Mailbox commands completed per second. */
  perSecond: number;
  /** HTTP requests per second. */
  requestsPerSecond: number;
}

/** Runs `op` (which completes `commandsPerOp` commands in one request) from `concurrency` loops for DURATION_MS. */
async function measure(label: string, concurrency: number, commandsPerOp: number, op: (n: number) => Promise<unknown>): Promise<Row> {
  for (let i = 0; i < 5; i++) await op(i);
  let ops = 0;
  let next = 0;
  const end = Date.now() + DURATION_MS;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        await op(next++);
        ops++;
      }
    }),
  );
  const seconds = (Date.now() - started) / 1000;
  return { label, inFlight: concurrency, perSecond: (ops * commandsPerOp) / seconds, requestsPerSecond: ops / seconds };
}

const setMailbox = (n: number): ExchangeCommand => ({ cmdlet: "Set-Mailbox", parameters: { Identity: `user${String((n % MAILBOXES) + 1).padStart(6, "0")}`, DataEncryptionPolicy: null } });

async function main(): Promise<void> {
  const emulator = await startEmulator({ exchange: { mailboxes: MAILBOXES, mailUsers: 0 } });
  try {
    const credential = emulator.credentialFor(emulator.admin.userPrincipalName);
    const exchange = new ExchangeRestTransport({ credential, tenantId: emulator.tenantId, endpoint: emulator.endpoints.exchange, ...emulator.clientOptions() });
    const url = `${emulator.endpoints.exchange}/adminapi/beta/${emulator.tenantId}/InvokeCommand`;
    const token = (await credential.getToken("https://outlook.office365.com/.default"))!.token;
    const { agent } = emulator.clientOptions();

    /** The same request the transport sends, with nothing around it; resolves on a 200. */
    const barePost = (n: number) =>
      new Promise<void>((resolve, reject) => {
        const command = setMailbox(n);
        const payload = Buffer.from(JSON.stringify({ CmdletInput: { CmdletName: command.cmdlet, Parameters: { ...command.parameters, Confirm: false } } }));
        const req = request(url, {
          method: "POST",
          agent,
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json", accept: "application/json", "content-length": String(payload.length), "X-CmdletName": command.cmdlet, "X-ResponseFormat": "json" },
        }, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            if (res.statusCode !== 200) reject(new Error(`status ${res.statusCode}: ${Buffer.concat(chunks).toString("utf8").slice(0, 200)}`));
            else {
              JSON.parse(Buffer.concat(chunks).toString("utf8"));
              resolve();
            }
          });
          res.on("error", reject);
        });
        req.on("error", reject);
        req.end(payload);
      });

    const batchOf10 = async (n: number) => {
      const results = await exchange.invokeBatch(Array.from({ length: 10 }, (_, i) => setMailbox(n * 10 + i)));
      if (!results.every((r) => r.ok)) throw new Error("a batched Set-Mailbox failed");
    };

    const rows = [
      await measure("bare HTTPS POST (node:https)", 1, 1, barePost),
      await measure("ExchangeRestTransport.invoke", 1, 1, (n) => exchange.invoke(setMailbox(n))),
      await measure("bare HTTPS POST (node:https)", 8, 1, barePost),
      await measure("ExchangeRestTransport.invoke", 8, 1, (n) => exchange.invoke(setMailbox(n))),
      await measure("ExchangeRestTransport.invokeBatch (10 per $batch)", 1, 10, batchOf10),
      await measure("ExchangeRestTransport.invokeBatch (10 per $batch)", 8, 10, batchOf10),
    ];
    const bare = new Map(rows.filter((r) => r.label.startsWith("bare")).map((r) => [r.inFlight, r.perSecond]));
    console.log(`Set-Mailbox -DataEncryptionPolicy $null over ${MAILBOXES} mailboxes, throttle off, ${DURATION_MS} ms per row, ${emulator.requests.size} emulator requests served\n`);
    console.log("| path | in flight | Set-Mailbox/s | HTTP requests/s | vs bare POST, same in flight |");
    console.log("|---|---:|---:|---:|---:|");
    for (const row of rows) {
      const reference = bare.get(row.inFlight)!;
      console.log(`| ${row.label} | ${row.inFlight} | ${row.perSecond.toFixed(0)} | ${row.requestsPerSecond.toFixed(0)} | ${(row.perSecond / reference).toFixed(2)} |`);
    }
  } finally {
    await emulator.stop();
  }
}

await main();
