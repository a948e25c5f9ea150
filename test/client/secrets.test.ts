/**
 * Failed calls that carry secrets (a data key to unwrap, a backup blob, a BYOK private key, the
 * bearer token on every request) leave none of them in the error: not in its message, not in its
 * own properties, not anywhere down its `cause` chain, however it is printed.
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { inspect } from "node:util";
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { CustomerKeyClient, ServiceRequestError, isCustomerKeyError } from "../../src/index.js";
import { createVault, tempDir } from "./keys-fixtures.js";

let emulator: Emulator;
let client: CustomerKeyClient;
let vault: Awaited<ReturnType<typeof createVault>>;
let standardVault: Awaited<ReturnType<typeof createVault>>;
let otherSubscriptionVault: Awaited<ReturnType<typeof createVault>>;
/** Every access token the client was handed: none may show up in an error. */
const tokens: string[] = [];

function capturing(inner: TokenCredential): TokenCredential {
  return {
    async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
      const token = await inner.getToken(scopes, options);
      if (token) tokens.push(token.token);
      return token;
    },
  };
}

beforeAll(async () => {
  emulator = await startEmulator();
  client = new CustomerKeyClient(capturing(emulator.credentialFor(emulator.admin.userPrincipalName)), {
    tenantId: emulator.tenantId,
    endpoints: { resourceManager: emulator.endpoints.resourceManager, graph: emulator.endpoints.graph },
    ...emulator.clientOptions(),
    pollIntervalInMs: 20,
    retry: { retryDelayInMs: 5, maxRetries: 1 },
  });
  const [a, b] = emulator.subscriptionIds;
  [vault, standardVault, otherSubscriptionVault] = await Promise.all([
    createVault(emulator, { subscriptionId: a!, resourceGroup: "rg-secrets", location: "westeurope", name: "ck-sec-main" }),
    createVault(emulator, { subscriptionId: a!, resourceGroup: "rg-secrets", location: "westeurope", name: "ck-sec-std", sku: "standard" }),
    createVault(emulator, { subscriptionId: b!, resourceGroup: "rg-secrets-b", location: "westeurope", name: "ck-sec-other" }),
  ]);
});
afterEach(() => emulator.faults.clear());
afterAll(() => emulator?.stop());

/**
 * The error as every common printer shows it (JSON and util.inspect of it and of each cause), plus
 * every string and byte array reachable from it: a secret kept in a hidden property leaks too.
 */
function renderings(error: unknown): string {
  const out: string[] = [inspect(error, { depth: Infinity, showHidden: true })];
  for (let e: unknown = error, depth = 0; e && depth < 10; e = (e as { cause?: unknown }).cause, depth++) {
    out.push(JSON.stringify(e) ?? "", String(e), (e as Error).stack ?? "", inspect(e, { depth: Infinity, showHidden: true }));
  }
  const seen = new Set<unknown>();
  const walk = (value: unknown, depth: number): void => {
    if (typeof value === "string") out.push(value);
    else if (value instanceof Uint8Array) out.push(Buffer.from(value).toString("hex"), Buffer.from(value).toString("base64"), Buffer.from(value).toString("base64url"));
    else if (value && typeof value === "object" && !seen.has(value) && depth < 8) {
      seen.add(value);
      if (value instanceof Map) for (const [k, v] of value) (walk(k, depth + 1), walk(v, depth + 1));
      for (const key of Reflect.ownKeys(value)) walk(Object.getOwnPropertyDescriptor(value, key)?.value, depth + 1);
    }
  };
  walk(error, 0);
  return out.join("\n");
}

/** Ways bytes are written down: hex, base64 and base64url, whole and in 24-byte-aligned runs. */
function encodings(bytes: Uint8Array): string[] {
  const buffer = Buffer.from(bytes);
  const forms = new Set<string>([buffer.toString("hex"), buffer.toString("base64"), buffer.toString("base64url")]);
  // An excerpt of a long secret is a leak too: check runs of 32 characters of each encoding.
  for (const whole of [...forms]) for (let i = 0; i + 32 <= whole.length; i += 16) forms.add(whole.slice(i, i + 32));
  return [...forms];
}

function expectNoSecrets(error: unknown, secrets: Uint8Array[]): void {
  expect(isCustomerKeyError(error)).toBe(true);
  const text = renderings(error);
  for (const secret of secrets) for (const form of encodings(secret)) expect(text.includes(form), `secret leaked as ${form.slice(0, 8)}…`).toBe(false);
  expect(tokens.length).toBeGreaterThan(0);
  for (const token of tokens) expect(text.includes(token.slice(-40)), "an access token leaked").toBe(false);
  expect(text).not.toMatch(/Bearer\s|eyJ[A-Za-z0-9_-]{10,}/);
  expect(text).not.toContain(emulator.admin.password);
}

describe("no secret in a failed call's error", () => {
  it("KeyVaultRootKey.unwrapKey: refused, rejected ciphertext, and a dropped connection", async () => {
    const { key } = await client.keys.create(vault.vaultUrl, "sec-root", { size: 2048 });
    const root = client.keys.rootKey(key.id, { retry: { maxRetries: 0 } });
    const dataKey = randomBytes(32);
    const wrapped = await root.wrapKey(dataKey);
    const secrets = [dataKey, wrapped.encryptedKey];

    const tampered = { ...wrapped, encryptedKey: Uint8Array.from(wrapped.encryptedKey, (b, i) => (i === 5 ? b ^ 1 : b)) };
    const rejected = await root.unwrapKey(tampered).catch((e: unknown) => e);
    expect(rejected).toMatchObject({ statusCode: 400 });
    expectNoSecrets(rejected, [...secrets, tampered.encryptedKey]);

    emulator.faults.inject({ vault: "ck-sec-main", path: "/unwrapkey", status: 403, count: 1 });
    const refused = await root.unwrapKey(wrapped).catch((e: unknown) => e);
    expect(refused).toMatchObject({ statusCode: 403 });
    expectNoSecrets(refused, secrets);

    emulator.faults.inject({ vault: "ck-sec-main", path: "/unwrapkey", status: 503, mode: "reset", count: 1 });
    const dropped = await root.unwrapKey(wrapped).catch((e: unknown) => e);
    expect(dropped).toMatchObject({ code: "ERR_SERVICE_UNREACHABLE" });
    expectNoSecrets(dropped, secrets);

    // The same key still unwraps: the failures above were the injected ones.
    expect(Buffer.from(await root.unwrapKey(wrapped)).equals(dataKey)).toBe(true);
  });

  it("backups.restoreKey: refused by the vault, and a dropped connection", async () => {
    const { key } = await client.keys.create(vault.vaultUrl, "sec-backup", { size: 2048 });
    const directory = tempDir();
    const backup = await client.backups.backupKey(key.id, { directory });
    const blob = readFileSync(backup.path);

    const refused = await client.backups.restoreKey(otherSubscriptionVault.vaultUrl, backup.path).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ServiceRequestError);
    expect(refused).toMatchObject({ code: "ERR_RESTORE_REFUSED" });
    expectNoSecrets(refused, [blob]);

    emulator.faults.inject({ vault: "ck-sec-other", path: "/keys/restore", status: 503, mode: "reset" });
    const dropped = await client.backups.restoreKey(otherSubscriptionVault.vaultUrl, backup.path).catch((e: unknown) => e);
    expect(dropped).toMatchObject({ code: "ERR_SERVICE_UNREACHABLE" });
    expectNoSecrets(dropped, [blob]);
  });

  it("keys.import (BYOK): refused by the vault, and a dropped connection", async () => {
    const jwk = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" }) as Record<string, string>;
    const privateParts = ["d", "p", "q", "dp", "dq", "qi"].map((m) => Buffer.from(jwk[m]!, "base64url"));

    // An HSM key cannot go into a Standard vault: Key Vault answers 400.
    const refused = await client.keys.import(standardVault.vaultUrl, "sec-byok", jwk, { protection: "hsm" }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ statusCode: 400, serviceCode: "BadParameter" });
    expectNoSecrets(refused, privateParts);

    emulator.faults.inject({ vault: "ck-sec-main", method: "PUT", path: "/keys/sec-byok", status: 503, mode: "reset" });
    const dropped = await client.keys.import(vault.vaultUrl, "sec-byok", jwk).catch((e: unknown) => e);
    expect(dropped).toMatchObject({ code: "ERR_SERVICE_UNREACHABLE" });
    expectNoSecrets(dropped, privateParts);
  });
});
