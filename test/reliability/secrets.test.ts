/**
 * Issue 14, reliability: secrets. The whole onboarding of both workloads (test/reliability/
 * onboarding-flow.ts) runs with the Azure SDK's logging at `verbose`, a client logger of our own,
 * console captured and the audit trail on (`audit: { write }`), plus a BYOK import, some injected faults (403, 404, 503, resets) and bad inputs
 * for their errors. No JWT, principal password or client secret, private JWK field, or backup byte
 * (base64, base64url, hex) may appear in any log line, any audit line, any error (message, stack, cause, JSON), the
 * preflight reports (Markdown and JSON), the bulk assignment and key roll results, or the emulator's
 * snapshot. test/client/log-secrets.test.ts holds the control showing the capture can see a leak.
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { captureLogs } from "../helpers/log-capture.js";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { CustomerKeyClient, type CustomerKeyLogger } from "../../src/index.js";
import { keyNameOf, pairSpecOf, runOnboarding } from "./onboarding-flow.js";

const JWT = /eyJ[A-Za-z0-9_-]{8,}\.eyJ/;

let emulator: Emulator;
let backupDirectory: string;
const lines: string[] = [];
let capture: ReturnType<typeof captureLogs> | undefined;

beforeAll(async () => {
  emulator = await startEmulator();
  backupDirectory = await mkdtemp(path.join(tmpdir(), "ck-reliability-secrets-"));
  capture = captureLogs(lines);
});

afterAll(async () => {
  capture?.stop();
  await emulator?.stop();
  await rm(backupDirectory, { recursive: true, force: true });
});

/** Distinctive 24-character pieces of a byte string, in the encodings a log could show it in. */
function fragments(bytes: Uint8Array): string[] {
  const b = Buffer.from(bytes);
  const out: string[] = [];
  for (const encoding of ["base64", "base64url", "hex"] as const) {
    const text = b.toString(encoding);
    for (let i = 0; i + 24 <= text.length && out.length < 600; i += Math.max(24, Math.floor(text.length / 12))) out.push(text.slice(i, i + 24));
  }
  return out;
}

/** An error as a log or a bug report could show it: message, stack, causes, own fields as JSON. */
function errorText(error: unknown): string {
  const parts: string[] = [];
  let e: unknown = error;
  for (let depth = 0; e && depth < 5; depth++) {
    if (e instanceof Error) parts.push(e.message, e.stack ?? "", JSON.stringify(e, Object.getOwnPropertyNames(e).filter((k) => k !== "cause")));
    else parts.push(String(e));
    e = (e as { cause?: unknown }).cause;
  }
  return parts.join("\n");
}

describe("secrets: nothing secret in logs, errors, reports or the snapshot", () => {
  it("a whole onboarding at verbose with the audit trail on, with faults, bad inputs and a BYOK import", { timeout: 180_000 }, async () => {
    const ownLines: string[] = [];
    const logger: CustomerKeyLogger = { info: (m) => void ownLines.push(m), warning: (m) => void ownLines.push(m), verbose: (m) => void ownLines.push(m), error: (m) => void ownLines.push(m) };
    // The audit trail on: its lines are checked like every other text (they name keys, files and policies, never their secrets).
    const auditLines: string[] = [];
    const client = new CustomerKeyClient(emulator.credential(), { ...emulator.customerKeyClientOptions(), logger, pollIntervalInMs: 10, retry: { maxRetries: 8, retryDelayInMs: 5 }, audit: { write: (line) => void auditLines.push(line) } });
    const removers = ["arm", "keyvault", "exchange", "sharepoint"].flatMap((service) => [
      emulator.faults.inject({ service, status: 503, retryAfterSeconds: 0, probability: 0.05 }),
      emulator.faults.inject({ service, mode: "reset", probability: 0.02 }),
    ]);
    const outcome = await runOnboarding(emulator, client, { backupDirectory, mailboxes: 60 });
    for (const remove of removers) remove();

    // BYOK: the private parts of this JWK must never appear.
    const spec = pairSpecOf(emulator, "exchange");
    const jwk = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" }) as Record<string, string>;
    await client.keys.import(spec.primary, "byok-root", jwk as never, { protection: "hsm" });

    // Errors: refused inputs, a 403, a 404 and a 401 from the services.
    const errors: unknown[] = [];
    const collect = async (call: () => unknown) => errors.push(await Promise.resolve().then(call).then(() => new Error("no error"), (e: unknown) => e));
    await collect(() => client.keys.import(spec.primary, "bad jwk", jwk as never));
    await collect(() => client.policies.exchange.create({ name: "EU mailboxes", keyUris: [outcome.keys.exchange.primary, outcome.keys.exchange.secondary] }));
    for (const status of [401, 403, 404]) {
      const remove = emulator.faults.inject({ service: "keyvault", status });
      await collect(() => client.keys.get(spec.primary, keyNameOf("exchange")));
      remove();
      const removeExo = emulator.faults.inject({ service: "exchange", status });
      await collect(() => client.policies.exchange.get("EU_mailboxes"));
      removeExo();
    }
    const someBackup = (await readdir(backupDirectory)).find((f) => f.endsWith(".backup"))!;
    await collect(() => client.backups.restoreKey(spec.primary, path.join(backupDirectory, someBackup)));
    expect(errors.filter((e) => e instanceof Error && e.message === "no error")).toEqual([]);

    // Everything a person or a program could see.
    const texts: { label: string; text: string }[] = [
      ...lines.map((text, i) => ({ label: `log line ${i}`, text })),
      ...ownLines.map((text, i) => ({ label: `own logger line ${i}`, text })),
      ...auditLines.map((text, i) => ({ label: `audit line ${i}`, text })),
      ...errors.map((e, i) => ({ label: `error ${i}`, text: errorText(e) })),
      ...outcome.reports.flatMap((r, i) => [{ label: `report ${i} (md)`, text: r.toMarkdown() }, { label: `report ${i} (json)`, text: JSON.stringify(r.toJSON()) }]),
      { label: "bulk assignment result", text: JSON.stringify(outcome.assignment) },
      { label: "key roll result", text: JSON.stringify(outcome.roll) },
      { label: "emulator snapshot", text: JSON.stringify(emulator.snapshot()) },
      { label: "backup manifest", text: await readFile(path.join(backupDirectory, "manifest.json"), "utf8") },
    ];
    // The capture saw real output: the Azure SDK's request lines and the SDK's own.
    expect(lines.some((l) => l.startsWith("azure:keyvault-keys:info Request:"))).toBe(true);
    expect(lines.some((l) => l.startsWith("azure:arm-keyvault:info Request:") || l.startsWith("azure:core-rest-pipeline"))).toBe(true);
    // With a logger of its own the client writes there (instead of azure:customer-key).
    expect(ownLines.some((l) => l.startsWith("keys.create"))).toBe(true);
    // The audit trail saw the changes whose values hold secrets elsewhere: the BYOK import, every backup file, the roll.
    const audited = auditLines.map((l) => (JSON.parse(l) as { what: string }).what);
    expect(audited).toEqual(expect.arrayContaining(["keys.import", "keys.create", "backups.backupKey", "keys.roll", "policies.exchange.assign"]));
    expect(audited.filter((w) => w === "backups.backupKey")).toHaveLength(7);

    const backups: Uint8Array[] = [];
    for (const file of await readdir(backupDirectory)) if (file.endsWith(".backup")) backups.push(await readFile(path.join(backupDirectory, file)));
    expect(backups.length).toBe(7);
    const secrets = [
      { label: "a principal's password or client secret", values: [...emulator.directory.users.map((u) => u.password), ...emulator.directory.servicePrincipals.flatMap((sp) => sp.secrets)].filter((s): s is string => typeof s === "string" && s.length >= 8) },
      { label: "backup blob bytes", values: backups.flatMap((b) => fragments(b)) },
      { label: "a private JWK field", values: (["d", "p", "q", "dp", "dq", "qi"] as const).flatMap((f) => [jwk[f]!.slice(0, 24), jwk[f]!.slice(-24)]) },
    ];
    const found: string[] = [];
    for (const { label, text } of texts) {
      if (JWT.test(text)) found.push(`${label}: a JWT`);
      for (const secret of secrets) if (secret.values.some((v) => text.includes(v))) found.push(`${label}: ${secret.label}`);
    }
    process.stdout.write(`[reliability] secrets: ${texts.length} texts checked (${lines.length} log lines, ${ownLines.length} own logger lines, ${auditLines.length} audit lines, ${errors.length} errors), ${secrets.reduce((n, s) => n + s.values.length, 0)} secret fragments\n`);
    expect(found).toEqual([]);
  });
});
