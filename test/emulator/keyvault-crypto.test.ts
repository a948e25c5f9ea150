import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RestError } from "@azure/core-rest-pipeline";
import type { TokenCredential } from "@azure/core-auth";
import type { KeyVaultKey } from "@azure/keyvault-keys";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { createTestVault, cryptoClient, keyClient } from "./helpers/vaults.js";

let emulator: Emulator;
let key: KeyVaultKey;
/** A principal with crypto permissions but no `get`: its CryptographyClient cannot fetch the key, so every operation is remote. */
let remoteOnly: TokenCredential;
beforeAll(async () => {
  emulator = await startEmulator();
  const user = emulator.directory.createUser({ userPrincipalName: "crypto-only" });
  createTestVault(emulator, {
    name: "kv-crypto",
    accessPolicies: [
      { objectId: emulator.admin.objectId, keys: ["all"] },
      { objectId: user.objectId, keys: ["wrapKey", "unwrapKey", "encrypt", "decrypt", "sign", "verify"] },
    ],
  });
  remoteOnly = emulator.credentialFor(user.userPrincipalName);
  key = await keyClient(emulator, "kv-crypto").createRsaKey("cmk");
});
afterAll(() => emulator?.stop());

const restError = async (promise: Promise<unknown>): Promise<RestError> => {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error, "expected the call to fail").toBeDefined();
  return error as RestError;
};
const operations = (since: number) => emulator.requests.list({ service: "keyvault" }).filter((r) => r.seq >= since && r.status === 200).map((r) => r.operation);

describe("cryptographic operations through CryptographyClient", () => {
  it.each(["RSA-OAEP", "RSA-OAEP-256", "RSA1_5"] as const)("wraps and unwraps with %s (the unwrap is remote)", async (alg) => {
    const since = emulator.requests.size;
    const client = cryptoClient(emulator, key.id!);
    const secret = randomBytes(32);
    const wrapped = await client.wrapKey(alg, secret);
    expect(wrapped.result).toHaveLength(256);
    expect(wrapped.keyID).toBe(key.id);
    const unwrapped = await client.unwrapKey(alg, wrapped.result);
    expect(Buffer.from(unwrapped.result).equals(secret)).toBe(true);
    expect(operations(since)).toContain("UnwrapKey");
    // RSA-OAEP and RSA1_5 wrap locally with the n/e the vault published; OAEP-256 goes to the vault.
    expect(operations(since).includes("WrapKey")).toBe(alg === "RSA-OAEP-256");
  });

  it("encrypts and decrypts with each RSA algorithm", async () => {
    const client = cryptoClient(emulator, key.id!);
    for (const algorithm of ["RSA-OAEP", "RSA-OAEP-256", "RSA1_5"] as const) {
      const plaintext = Buffer.from(`hello ${algorithm}`);
      const encrypted = await client.encrypt({ algorithm, plaintext });
      const decrypted = await client.decrypt({ algorithm, ciphertext: encrypted.result });
      expect(Buffer.from(decrypted.result).toString()).toBe(`hello ${algorithm}`);
    }
  });

  it("signs digests (RS256, PS256) that the SDK verifies locally", async () => {
    const client = cryptoClient(emulator, key.id!);
    const digest = createHash("sha256").update("data").digest();
    for (const algorithm of ["RS256", "PS256", "PS512"] as const) {
      const d = algorithm === "PS512" ? createHash("sha512").update("data").digest() : digest;
      const signed = await client.sign(algorithm, d);
      expect((await client.verify(algorithm, d, signed.result)).result).toBe(true);
      const tampered = Buffer.from(signed.result);
      tampered[10] = tampered[10]! ^ 1;
      expect((await client.verify(algorithm, d, tampered)).result).toBe(false);
    }
  });

  it("refuses every crypto operation on a disabled key (403 KeyDisabled), as Microsoft documents", async () => {
    const keys = keyClient(emulator, "kv-crypto");
    const disabled = await keys.createRsaKey("disabled");
    const wrapped = await cryptoClient(emulator, disabled.id!).wrapKey("RSA-OAEP-256", randomBytes(32));
    const digest = createHash("sha256").update("data").digest();
    const signature = await cryptoClient(emulator, disabled.id!).sign("RS256", digest);
    await keys.updateKeyProperties("disabled", disabled.properties.version!, { enabled: false });
    const refused = await restError(cryptoClient(emulator, disabled.id!).unwrapKey("RSA-OAEP-256", wrapped.result));
    expect([refused.statusCode, refused.code, refused.message]).toEqual([403, "Forbidden", "Operation unwrapKey is not allowed on a disabled key."]);
    expect((refused.details as { error?: { innerError?: { code?: string } } }).error?.innerError?.code).toBe("KeyDisabled");
    // remoteOnly cannot fetch the key, so the public-key operations reach the vault too, which refuses them.
    const remote = cryptoClient(emulator, disabled.id!, remoteOnly);
    const attempts: Array<[string, Promise<unknown>]> = [
      ["wrapKey", remote.wrapKey("RSA-OAEP-256", randomBytes(32))],
      ["encrypt", remote.encrypt({ algorithm: "RSA-OAEP-256", plaintext: randomBytes(16) })],
      ["decrypt", remote.decrypt({ algorithm: "RSA-OAEP-256", ciphertext: wrapped.result })],
      ["sign", remote.sign("RS256", digest)],
      ["verify", remote.verify("RS256", digest, signature.result)],
    ];
    for (const [op, attempt] of attempts) {
      const error = await restError(attempt);
      expect([error.statusCode, error.code, error.message], op).toEqual([403, "Forbidden", `Operation ${op} is not allowed on a disabled key.`]);
    }
    // The key itself can still be read, to be re-enabled.
    expect((await keys.getKey("disabled")).properties.enabled).toBe(false);
  });

  it("refuses new wraps outside nbf..exp on the emulator clock but still unwraps", async () => {
    const keys = keyClient(emulator, "kv-crypto");
    const now = emulator.clock.nowSeconds();
    const early = await keys.createRsaKey("not-yet", { notBefore: new Date((now + 3600) * 1000) });
    const refusedEarly = await restError(cryptoClient(emulator, early.id!, remoteOnly).wrapKey("RSA-OAEP-256", randomBytes(32)));
    expect([refusedEarly.statusCode, refusedEarly.code]).toEqual([403, "Forbidden"]);

    const expiring = await keys.createRsaKey("expiring", { expiresOn: new Date((now + 86_400) * 1000) });
    const client = cryptoClient(emulator, expiring.id!);
    const wrapped = await client.wrapKey("RSA-OAEP-256", randomBytes(32));
    emulator.clock.advance({ days: 2 });
    const refused = await restError(cryptoClient(emulator, expiring.id!, remoteOnly).wrapKey("RSA-OAEP-256", randomBytes(32)));
    expect([refused.statusCode, refused.code, refused.message]).toEqual([403, "Forbidden", "Operation wrapKey is not allowed on an expired key."]);
    expect((await cryptoClient(emulator, expiring.id!).unwrapKey("RSA-OAEP-256", wrapped.result)).result).toHaveLength(32);
  });

  it("enforces key_ops on the service side", async () => {
    const limited = await keyClient(emulator, "kv-crypto").createRsaKey("wrap-only", { keyOps: ["wrapKey", "unwrapKey"] });
    const refused = await restError(cryptoClient(emulator, limited.id!, remoteOnly).decrypt({ algorithm: "RSA-OAEP-256", ciphertext: new Uint8Array(256) }));
    expect([refused.statusCode, refused.code]).toEqual([403, "Forbidden"]);
    expect(refused.message).toBe("Operation decrypt is not permitted on this key.");
  });
});

describe("faults", () => {
  it("retries a 429 with Retry-After", async () => {
    const remove = emulator.faults.inject({ service: "keyvault", path: "/unwrapkey", status: 429, retryAfterSeconds: 1, count: 1 });
    try {
      const client = cryptoClient(emulator, key.id!);
      const wrapped = await client.wrapKey("RSA-OAEP", randomBytes(32));
      const since = emulator.requests.size;
      const started = Date.now();
      await client.unwrapKey("RSA-OAEP", wrapped.result);
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
      const statuses = emulator.requests.list({ service: "keyvault", operation: "UnwrapKey" }).filter((r) => r.seq >= since).map((r) => r.status);
      expect(statuses).toEqual([429, 200]);
    } finally {
      remove();
    }
  });

  it("fails every call while the vault is down", async () => {
    const client = keyClient(emulator, "kv-crypto");
    const up = emulator.faults.vaultDown("kv-crypto");
    try {
      expect((await restError(client.getKey("cmk"))).statusCode).toBe(503);
    } finally {
      up();
    }
    expect((await client.getKey("cmk")).id).toBe(key.id);
  });
});
