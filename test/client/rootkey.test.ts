/** KeyVaultRootKey: a vault key as a RootKey of the envelope core, against the emulator. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { open, seal, isAccessDeniedError } from "../../src/envelope/index.js";
import { KeyVaultRootKey } from "../../src/index.js";
import { createVault, modulesFor, type Modules } from "./keys-fixtures.js";

let emulator: Emulator;
let m: Modules;
let keyA: string;
let keyB: string;
const names = { a: "ck-rk-a", b: "ck-rk-b" };

beforeAll(async () => {
  emulator = await startEmulator();
  m = modulesFor(emulator);
  const [s1, s2] = emulator.subscriptionIds;
  const [a, b] = await Promise.all([
    createVault(emulator, { subscriptionId: s1!, resourceGroup: "rg-rk", location: "westeurope", name: names.a }),
    createVault(emulator, { subscriptionId: s2!, resourceGroup: "rg-rk", location: "swedencentral", name: names.b }),
  ]);
  keyA = (await m.keys.create(a.vaultUrl, "root", { size: 2048 })).key.id;
  keyB = (await m.keys.create(b.vaultUrl, "root", { size: 2048 })).key.id;
});
afterAll(() => emulator?.stop());

const noRetry = { retry: { maxRetries: 0 } };

describe("KeyVaultRootKey", () => {
  it("wraps and unwraps RSA-OAEP-256 in the vault; id and entries carry the versioned kid", async () => {
    const root = new KeyVaultRootKey(keyA, emulator.credentialFor(emulator.admin.userPrincipalName), { ...emulator.clientOptions() });
    expect(root.id).toBe(keyA);
    const dataKey = new Uint8Array(32).fill(7);
    const since = emulator.requests.size;
    const wrapped = await root.wrapKey(dataKey);
    expect(wrapped).toMatchObject({ keyId: keyA, algorithm: "RSA-OAEP-256" });
    expect(Buffer.from(await root.unwrapKey(wrapped))).toEqual(Buffer.from(dataKey));
    const ops = emulator.requests.list().filter((e) => e.seq >= since).map((e) => e.operation);
    expect(ops).toContain("WrapKey");
    expect(ops).toContain("UnwrapKey");
  });

  it("seals with two vault keys and opens with one while the other vault is down", async () => {
    const rootA = m.keys.rootKey(keyA, noRetry);
    const rootB = m.keys.rootKey(keyB, noRetry);
    const plaintext = new TextEncoder().encode("mailbox key material stand-in");
    const envelope = await seal(plaintext, { rootKeys: [rootA, rootB] });
    const up = emulator.faults.vaultDown(names.a);
    try {
      expect(Buffer.from(await open(envelope, { rootKeys: [rootA, rootB] }))).toEqual(Buffer.from(plaintext));
    } finally {
      up();
    }
    const downB = emulator.faults.vaultDown(names.b);
    try {
      expect(Buffer.from(await open(envelope, { rootKeys: [rootB, rootA] }))).toEqual(Buffer.from(plaintext));
    } finally {
      downB();
    }
  });

  it("keeps 403 on its errors so the envelope reports a revoked key", async () => {
    const outsider = emulator.directory.createServicePrincipal({ displayName: "no-access" });
    const sealed = await seal(new Uint8Array([1, 2, 3]), { rootKeys: [m.keys.rootKey(keyA), m.keys.rootKey(keyB)] });
    const denied = (kid: string) => new KeyVaultRootKey(kid, emulator.credentialFor(outsider.appId), { ...emulator.clientOptions(), ...noRetry });
    const wrapError = await denied(keyA).wrapKey(new Uint8Array(32)).catch((e: unknown) => e);
    expect(wrapError).toMatchObject({ statusCode: 403 });
    expect(isAccessDeniedError(wrapError)).toBe(true);
    await expect(open(sealed, { rootKeys: [denied(keyA), denied(keyB)] })).rejects.toMatchObject({ code: "ERR_ENVELOPE_REVOKED" });
  });
});
