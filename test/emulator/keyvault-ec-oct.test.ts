import { createECDH, createHash, createPublicKey, randomBytes, sign as nodeSign, verify as nodeVerify, generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KeyVaultKey } from "@azure/keyvault-keys";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { curveOf, ecSign, ecVerify } from "../../src/emulator/keyvault/ec-crypto.js";
import { CURVES, type CurveName } from "../../src/emulator/keyvault/key-material.js";
import { cryptoClient, keyClient } from "./helpers/vaults.js";

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
  emulator.seed.vault({ name: "kv-ec-oct" });
});
afterAll(() => emulator?.stop());

const b64u = (bytes: Uint8Array | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString("base64url");
const nodeCurve = (curve: CurveName) => (curve === "P-256K" ? "secp256k1" : curve);
const hashOf = { "P-256": "sha256", "P-384": "sha384", "P-521": "sha512", "P-256K": "sha256" } as const;
const algOf = { "P-256": "ES256", "P-384": "ES384", "P-521": "ES512", "P-256K": "ES256K" } as const;

/** The public key the vault published, as Node reads a JWK. */
function publicKeyOf(key: KeyVaultKey, curve: CurveName) {
  return createPublicKey({ key: { kty: "EC", crv: nodeCurve(curve), x: b64u(key.key!.x), y: b64u(key.key!.y) }, format: "jwk" });
}

describe("EC domain parameters", () => {
  it.each(Object.keys(CURVES) as CurveName[])("%s: the order n is OpenSSL's ((n-1)·G = -G) and signatures cross-verify with node:crypto", (curve) => {
    const c = curveOf(curve);
    const ecdh = createECDH(CURVES[curve]);
    ecdh.setPrivateKey(Buffer.from((c.n - 1n).toString(16).padStart(c.size * 2, "0"), "hex"));
    const minusG = ecdh.getPublicKey();
    expect(BigInt(`0x${minusG.subarray(1, 1 + c.size).toString("hex")}`)).toBe(c.g!.x);
    expect(BigInt(`0x${minusG.subarray(1 + c.size).toString("hex")}`)).toBe(c.p - c.g!.y);

    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: CURVES[curve] });
    const jwk = { ...privateKey.export({ format: "jwk" }), crv: curve };
    const message = randomBytes(100);
    const digest = createHash(hashOf[curve]).update(message).digest();
    const ours = ecSign(jwk, algOf[curve], digest);
    expect(nodeVerify(hashOf[curve], message, { key: publicKey, dsaEncoding: "ieee-p1363" }, ours)).toBe(true);
    const theirs = nodeSign(hashOf[curve], message, { key: privateKey, dsaEncoding: "ieee-p1363" });
    expect(ecVerify(jwk, algOf[curve], digest, theirs)).toBe(true);
    theirs[3] = theirs[3]! ^ 1;
    expect(ecVerify(jwk, algOf[curve], digest, theirs)).toBe(false);
  });
});

describe("EC keys through KeyClient and CryptographyClient", () => {
  it.each(["P-256", "P-384", "P-521", "P-256K"] as const)("%s: creates with crv/x/y, signs digests the public key verifies, verifies remotely", async (curve) => {
    const keys = keyClient(emulator, "kv-ec-oct");
    const key = await keys.createEcKey(`ec-${curve.toLowerCase()}`, { curve, hsm: true });
    expect(key.keyType).toBe("EC-HSM");
    expect(key.key).toMatchObject({ crv: curve, kty: "EC-HSM", keyOps: ["sign", "verify"] });
    expect(key.key!.d).toBeUndefined();
    const size = curveOf(curve).size;
    expect([key.key!.x!.length, key.key!.y!.length]).toEqual([size, size]);

    const client = cryptoClient(emulator, key.id!);
    const message = Buffer.from(`hello ${curve}`);
    const digest = createHash(hashOf[curve]).update(message).digest();
    const signed = await client.sign(algOf[curve], digest);
    expect(signed.result).toHaveLength(2 * size);
    expect(nodeVerify(hashOf[curve], message, { key: publicKeyOf(key, curve), dsaEncoding: "ieee-p1363" }, signed.result)).toBe(true);
    expect((await client.verify(algOf[curve], digest, signed.result)).result).toBe(true);
    const tampered = Buffer.from(signed.result);
    tampered[0] = tampered[0]! ^ 1;
    expect((await client.verify(algOf[curve], digest, tampered)).result).toBe(false);
    // signData hashes on the client and signs remotely.
    const signedData = await client.signData(algOf[curve], message);
    expect(nodeVerify(hashOf[curve], message, { key: publicKeyOf(key, curve), dsaEncoding: "ieee-p1363" }, signedData.result)).toBe(true);
  });

  it("refuses a mismatched algorithm, a wrong digest length and an unknown curve", async () => {
    const key = await keyClient(emulator, "kv-ec-oct").createEcKey("ec-refusals", { curve: "P-256" });
    const client = cryptoClient(emulator, key.id!);
    await expect(client.sign("ES384", randomBytes(48))).rejects.toMatchObject({ statusCode: 400, code: "BadParameter" });
    await expect(client.sign("ES256", randomBytes(20))).rejects.toMatchObject({ statusCode: 400, code: "BadParameter" });
    await expect(keyClient(emulator, "kv-ec-oct").createEcKey("ec-bad", { curve: "P-192" as never })).rejects.toMatchObject({ statusCode: 400 });
  });

  it("rotates an EC key into a new version on the same curve", async () => {
    const keys = keyClient(emulator, "kv-ec-oct");
    await keys.createEcKey("ec-rotated", { curve: "P-384" });
    const rotated = await keys.rotateKey("ec-rotated");
    expect(rotated.key).toMatchObject({ crv: "P-384", kty: "EC" });
  });
});

describe("symmetric (oct) keys through KeyClient and CryptographyClient", () => {
  it("wraps and unwraps with A128KW/A192KW/A256KW by the key's size", async () => {
    const keys = keyClient(emulator, "kv-ec-oct");
    for (const size of [128, 192, 256] as const) {
      const key = await keys.createOctKey(`aes-${size}`, { keySize: size, hsm: true });
      expect(key.key).toMatchObject({ kty: "oct-HSM", keyOps: ["encrypt", "decrypt", "wrapKey", "unwrapKey"] });
      expect(key.key!.k).toBeUndefined();
      const client = cryptoClient(emulator, key.id!);
      const dataKey = randomBytes(32);
      const wrapped = await client.wrapKey(`A${size}KW`, dataKey);
      expect(wrapped.result).toHaveLength(40);
      expect(Buffer.from((await client.unwrapKey(`A${size}KW`, wrapped.result)).result)).toEqual(dataKey);
      const other = size === 256 ? "A128KW" : "A256KW";
      await expect(client.wrapKey(other, dataKey)).rejects.toMatchObject({ statusCode: 400 });
    }
  });

  it("encrypts with A256GCM (service-chosen IV, tag, AAD) and A256CBCPAD, and decrypts", async () => {
    const key = await keyClient(emulator, "kv-ec-oct").createOctKey("aes-crypt", { keySize: 256, hsm: true });
    const client = cryptoClient(emulator, key.id!);
    const plaintext = randomBytes(45);
    const aad = Buffer.from("context");
    const gcm = await client.encrypt({ algorithm: "A256GCM", plaintext, additionalAuthenticatedData: aad });
    expect(gcm.iv).toHaveLength(12);
    expect(gcm.authenticationTag).toHaveLength(16);
    const opened = await client.decrypt({ algorithm: "A256GCM", ciphertext: gcm.result, iv: gcm.iv!, authenticationTag: gcm.authenticationTag!, additionalAuthenticatedData: aad });
    expect(Buffer.from(opened.result)).toEqual(plaintext);
    const wrongAad = client.decrypt({ algorithm: "A256GCM", ciphertext: gcm.result, iv: gcm.iv!, authenticationTag: gcm.authenticationTag!, additionalAuthenticatedData: Buffer.from("other") });
    await expect(wrongAad).rejects.toMatchObject({ statusCode: 400 });

    const iv = randomBytes(16);
    const cbc = await client.encrypt({ algorithm: "A256CBCPAD", plaintext, iv });
    expect(cbc.result).toHaveLength(48);
    expect(Buffer.from(cbc.iv!)).toEqual(iv);
    expect(Buffer.from((await client.decrypt({ algorithm: "A256CBCPAD", ciphertext: cbc.result, iv })).result)).toEqual(plaintext);
    // Without an IV the emulator picks one and returns it.
    const picked = await client.encrypt({ algorithm: "A256CBC", plaintext: plaintext.subarray(0, 32) });
    expect(Buffer.from((await client.decrypt({ algorithm: "A256CBC", ciphertext: picked.result, iv: picked.iv! })).result)).toEqual(plaintext.subarray(0, 32));
    await expect(client.encrypt({ algorithm: "A256CBC", plaintext, iv })).rejects.toMatchObject({ statusCode: 400 });
  });

  it("keeps the private halves out of snapshot()", async () => {
    const state = emulator.snapshot().keyVault.vaults["kv-ec-oct"]!;
    const versions = Object.values(state.keys).flatMap((k) => k.versions);
    expect(versions.some((v) => v.kty.startsWith("EC"))).toBe(true);
    for (const v of versions) {
      expect(v.privateJwk.d).toBeUndefined();
      expect(v.privateJwk.k).toBeUndefined();
    }
  });
});
