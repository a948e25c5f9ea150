import { createCipheriv, hkdfSync, randomBytes, webcrypto } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import {
  DEFAULT_FRAME_LENGTH,
  EnvelopeOptionsError,
  LocalRootKey,
  inspect,
  matchesKeyId,
  open,
  openStream,
  seal,
  sealStream,
} from "../../src/envelope/index.js";
import { a256kw, chunk, rejection, rsa2048, through } from "./helpers.js";

let rsaA: LocalRootKey;
let rsaB: LocalRootKey;
let kwA: LocalRootKey;
let kwB: LocalRootKey;

beforeAll(async () => {
  [rsaA, rsaB, kwA, kwB] = await Promise.all([rsa2048(), rsa2048(), a256kw(), a256kw()]);
});

describe("seal/open round trip", () => {
  const sizes = [0, 1, 15, 16, 17, 1023, 1024, 65535, 65536, 65537, 3 * 65536, 1024 * 1024 + 7, 5 * 1024 * 1024];

  it.each(sizes)("%i bytes with two A256KW keys", async (size) => {
    const plaintext = randomBytes(size);
    const envelope = await seal(plaintext, { rootKeys: [kwA, kwB], context: { size: String(size) } });
    expect(Buffer.from(await open(envelope, { rootKeys: [kwA, kwB] })).equals(plaintext)).toBe(true);
    const header = inspect(envelope);
    expect(header.plaintextLength).toBe(size);
    expect(header.frameCount).toBe(Math.max(1, Math.ceil(size / DEFAULT_FRAME_LENGTH)));
    expect(header.bodyOffset + header.bodyLength).toBe(envelope.length);
  });

  it("works with RSA-OAEP-256, A256KW and mixed key sets; either key alone opens", async () => {
    const plaintext = randomBytes(3000);
    for (const keys of [[rsaA, rsaB], [kwA, kwB], [rsaA, kwB], [kwA, rsaB, kwB]]) {
      const envelope = await seal(plaintext, { rootKeys: keys });
      expect(inspect(envelope).wrappedKeys.map((w) => w.keyId)).toEqual(keys.map((k) => k.keyId));
      for (const only of keys) expect(Buffer.from(await open(envelope, { rootKeys: [only] })).equals(plaintext)).toBe(true);
      const reversed = [...keys].reverse();
      expect(Buffer.from(await open(envelope, { rootKeys: reversed })).equals(plaintext)).toBe(true);
      for (let i = 0; i < 4; i++) expect(Buffer.from(await open(envelope, { rootKeys: keys, order: "random" })).equals(plaintext)).toBe(true);
    }
  });

  it("uses small frames when asked and keeps seal/sealStream/open/openStream interchangeable", async () => {
    const plaintext = randomBytes(10_000);
    const sealed = await seal(plaintext, { rootKeys: [kwA, kwB], frameLength: 999 });
    const streamed = await through(sealStream({ rootKeys: [kwA, kwB], frameLength: 999 }), chunk(plaintext, [1, 500, 3000, 7]));
    expect(inspect(sealed).frameCount).toBe(11);
    expect(inspect(streamed).frameCount).toBe(11);
    expect(streamed.length).toBe(sealed.length);
    for (const envelope of [sealed, streamed]) {
      expect(Buffer.from(await open(envelope, { rootKeys: [kwB] })).equals(plaintext)).toBe(true);
      expect((await through(openStream({ rootKeys: [kwA] }), chunk(envelope, [13, 2000]))).equals(plaintext)).toBe(true);
    }
  });

  it("binds the context: exact match required, order of keys irrelevant", async () => {
    const envelope = await seal(Buffer.from("x"), { rootKeys: [kwA, kwB], context: { b: "2", a: "1", "é": "ü" } });
    expect(inspect(envelope).context).toEqual({ a: "1", b: "2", "é": "ü" });
    await expect(open(envelope, { rootKeys: [kwA], context: { "é": "ü", a: "1", b: "2" } })).resolves.toBeDefined();
    const others: Record<string, string>[] = [{ a: "1", b: "2" }, { a: "1", b: "3", "é": "ü" }, {}, { a: "1", b: "2", "é": "ü", c: "" }];
    for (const context of others) {
      await rejection(open(envelope, { rootKeys: [kwA], context }), "ERR_ENVELOPE_CONTEXT_MISMATCH");
    }
  });

  it("rejects invalid contexts", async () => {
    const bad: unknown[] = [[], "x", { a: 1 }, { "": "x" }, { a: "\uD800" }, Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, "v"]))];
    for (const context of bad) {
      await rejection(seal(Buffer.alloc(1), { rootKeys: [kwA, kwB], context: context as Record<string, string> }), /ERR_ENVELOPE_INVALID_(CONTEXT|OPTIONS)/);
    }
  });

  it("requires two root keys unless minRootKeys: 1 is explicit", async () => {
    await rejection(seal(Buffer.alloc(1), { rootKeys: [kwA] }), "ERR_ENVELOPE_TOO_FEW_ROOT_KEYS");
    await rejection(seal(Buffer.alloc(1), { rootKeys: [] }), "ERR_ENVELOPE_TOO_FEW_ROOT_KEYS");
    await rejection(seal(Buffer.alloc(1), { rootKeys: [kwA, kwB], minRootKeys: 3 }), "ERR_ENVELOPE_TOO_FEW_ROOT_KEYS");
    await rejection(seal(Buffer.alloc(1), { rootKeys: [kwA], minRootKeys: 0 }), "ERR_ENVELOPE_INVALID_OPTIONS");
    await rejection(seal(Buffer.alloc(1), { rootKeys: [kwA, kwA] }), "ERR_ENVELOPE_INVALID_OPTIONS");
    const one = await seal(Buffer.from("solo"), { rootKeys: [kwA], minRootKeys: 1 });
    expect(Buffer.from(await open(one, { rootKeys: [kwA] })).toString()).toBe("solo");
    expect(() => sealStream({ rootKeys: [kwA] })).toThrow(EnvelopeOptionsError);
  });

  it("rejects bad options with typed errors", async () => {
    await rejection(seal("text" as unknown as Uint8Array, { rootKeys: [kwA, kwB] }), "ERR_ENVELOPE_INVALID_OPTIONS");
    await rejection(seal(Buffer.alloc(1), { rootKeys: [kwA, kwB], frameLength: 0 }), "ERR_ENVELOPE_INVALID_OPTIONS");
    await rejection(seal(Buffer.alloc(1), { rootKeys: [kwA, kwB], cache: {} as never }), "ERR_ENVELOPE_INVALID_OPTIONS");
    await rejection(open(Buffer.alloc(1), { rootKeys: [kwA], order: "sorted" as never }), "ERR_ENVELOPE_INVALID_OPTIONS");
    await rejection(open(Buffer.alloc(1), { rootKeys: [kwA], limits: { maxWrappedKeys: 0 } }), "ERR_ENVELOPE_INVALID_OPTIONS");
  });

  it("enforces parsing limits", async () => {
    const envelope = await seal(Buffer.alloc(10), { rootKeys: [kwA, kwB, rsaA], frameLength: 4096 });
    await rejection(open(envelope, { rootKeys: [kwA], limits: { maxWrappedKeys: 2 } }), "ERR_ENVELOPE_LIMIT_EXCEEDED");
    await rejection(open(envelope, { rootKeys: [kwA], limits: { maxHeaderLength: 200 } }), "ERR_ENVELOPE_LIMIT_EXCEEDED");
    await rejection(open(envelope, { rootKeys: [kwA], limits: { maxFrameLength: 1024 } }), "ERR_ENVELOPE_LIMIT_EXCEEDED");
  });
});

describe("key derivation and root keys", () => {
  it("derives content key and commitment with HKDF-SHA-512 as documented", async () => {
    const spy = { seen: new Uint8Array() };
    const recording = { id: kwA.id, wrapKey: (k: Uint8Array) => ((spy.seen = new Uint8Array(k)), kwA.wrapKey(k)), unwrapKey: kwA.unwrapKey.bind(kwA) };
    const envelope = await seal(Buffer.from("hello"), { rootKeys: [recording, kwB] });
    const header = inspect(envelope);
    const info = Buffer.concat([Buffer.from("customer-key/envelope/v1 message"), Buffer.from([0, 1]), header.messageId]);
    const okm = Buffer.from(hkdfSync("sha512", spy.seen, Buffer.from("customer-key/envelope/v1"), info, 64));
    expect(okm.subarray(32).equals(header.commitment)).toBe(true);
    // The content key decrypts the single final frame: IV = 0^8 || uint32 1.
    const aad = Buffer.concat([envelope.subarray(0, 3), envelope.subarray(7, 75), Buffer.from([0, 0]), Buffer.from([0, 0, 0, 1, 1])]);
    const body = envelope.subarray(header.bodyOffset);
    const cipher = createCipheriv("aes-256-gcm", okm.subarray(0, 32), Buffer.from("000000000000000000000001", "hex"));
    cipher.setAAD(aad);
    const ct = Buffer.concat([cipher.update(Buffer.from("hello")), cipher.final()]);
    expect(Buffer.from(body).equals(Buffer.concat([Buffer.from([1, 0, 0, 0, 5]), ct, cipher.getAuthTag()]))).toBe(true);
  });

  it("A256KW matches the RFC 3394 test vector (4.6: 256-bit data, 256-bit KEK)", async () => {
    const kek = Buffer.from("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F", "hex");
    const key = LocalRootKey.fromJwk({ kty: "oct", k: kek.toString("base64url"), alg: "A256KW", kid: "local:rfc3394/00000000000000000000000000000000" });
    const data = Buffer.from("00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F", "hex");
    const wrapped = await key.wrapKey(data);
    expect(Buffer.from(wrapped.encryptedKey).toString("hex").toUpperCase()).toBe("28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326CBC7F0E71A99F43BFB988B9B7A02DD21");
    expect(wrapped.keyId).toBe("local:rfc3394/00000000000000000000000000000000");
    expect(Buffer.from(await key.unwrapKey(wrapped)).equals(data)).toBe(true);
  });

  it("RSA-OAEP-256 is OAEP with SHA-256 and MGF1-SHA-256 (WebCrypto decrypts it)", async () => {
    const wrapped = await rsaA.wrapKey(randomBytes(32));
    const jwk = rsaA.toJwk({ includePrivate: true });
    const subtleKey = await webcrypto.subtle.importKey("jwk", { ...jwk, key_ops: ["decrypt"] } as webcrypto.JsonWebKey, { name: "RSA-OAEP", hash: "SHA-256" }, false, ["decrypt"]);
    const viaWebCrypto = Buffer.from(await webcrypto.subtle.decrypt({ name: "RSA-OAEP" }, subtleKey, wrapped.encryptedKey));
    expect(viaWebCrypto.equals(Buffer.from(await rsaA.unwrapKey(wrapped)))).toBe(true);
  });

  it("exports and imports JWKs, keeping id and version", async () => {
    for (const key of [rsaA, kwA]) {
      const copy = LocalRootKey.fromJwk(key.toJwk({ includePrivate: true }));
      expect(copy.id).toBe(key.id);
      expect(copy.version).toBe(key.version);
      expect(copy.keyId).toMatch(/\/[0-9a-f]{32}$/);
      const wrapped = await key.wrapKey(randomBytes(32));
      expect(await copy.unwrapKey(wrapped)).toEqual(await key.unwrapKey(wrapped));
    }
    const publicOnly = LocalRootKey.fromJwk(rsaA.toJwk({ includePrivate: false }));
    expect(publicOnly.toJwk().d).toBeUndefined();
    const envelope = await seal(Buffer.from("p"), { rootKeys: [publicOnly, kwB] }); // wrap needs only the public key
    await rejection(open(envelope, { rootKeys: [publicOnly] }), "ERR_ENVELOPE_KEYS_UNAVAILABLE");
    expect(() => kwA.toJwk()).toThrow(/no public part/);
    expect(() => LocalRootKey.fromJwk({ kty: "oct", k: "AAAA" })).toThrow(expect.objectContaining({ code: "ERR_ROOT_KEY_INVALID_JWK" }));
    expect(() => LocalRootKey.fromJwk({ kty: "EC" as "RSA" })).toThrow(expect.objectContaining({ code: "ERR_ROOT_KEY_INVALID_JWK" }));
    expect(JSON.stringify(kwA)).not.toContain(kwA.toJwk({ includePrivate: true }).k);
  });

  it("matches versionless ids against every version, and nothing else", () => {
    const kid = "https://v.vault.azure.net/keys/k";
    expect(matchesKeyId(kid, `${kid}/0123456789abcdef0123456789abcdef`)).toBe(true);
    expect(matchesKeyId(`${kid}/`, `${kid}/0123456789abcdef0123456789abcdef`)).toBe(true);
    expect(matchesKeyId(`${kid}/0123`, `${kid}/0123`)).toBe(true);
    expect(matchesKeyId(`${kid}/0123`, `${kid}/4567`)).toBe(false);
    expect(matchesKeyId(kid, `${kid}2/0123`)).toBe(false);
    expect(matchesKeyId(kid, `${kid}/a/b`)).toBe(false);
    expect(matchesKeyId(kid, kid.slice(0, -1))).toBe(false);
  });

  it("rotated keys wrap with the new version and still unwrap the old one", async () => {
    const rotated = await kwA.rotate();
    expect(rotated.id).toBe(kwA.id);
    expect(rotated.versions).toEqual([kwA.version, rotated.version]);
    const old = await seal(Buffer.from("old"), { rootKeys: [kwA, kwB] });
    const fresh = await seal(Buffer.from("new"), { rootKeys: [rotated, kwB] });
    expect(inspect(fresh).wrappedKeys[0]!.keyId).toBe(`${kwA.id}/${rotated.version}`);
    expect(Buffer.from(await open(old, { rootKeys: [rotated] })).toString()).toBe("old");
    await rejection(open(old, { rootKeys: [rotated.currentVersionOnly()] }), "ERR_ENVELOPE_KEYS_UNAVAILABLE");
    await rejection(open(fresh, { rootKeys: [kwA] }), "ERR_ENVELOPE_KEYS_UNAVAILABLE");
  });

  it("rejects root keys whose wrap output is unusable", async () => {
    const liar = { id: "liar", wrapKey: async (k: Uint8Array) => ({ keyId: "someone-else/1", algorithm: "X", encryptedKey: new Uint8Array(k) }), unwrapKey: async () => new Uint8Array(32) };
    await rejection(seal(Buffer.alloc(1), { rootKeys: [liar, kwA] }), "ERR_ENVELOPE_WRAP_FAILED");
    const plain = { id: "plain", wrapKey: async (k: Uint8Array) => ({ keyId: "plain", algorithm: "none", encryptedKey: new Uint8Array(k) }), unwrapKey: async () => new Uint8Array(32) };
    await rejection(seal(Buffer.alloc(1), { rootKeys: [plain, kwA] }), "ERR_ENVELOPE_WRAP_FAILED");
    const short = { id: "short", wrapKey: (k: Uint8Array) => kwA.wrapKey(k).then((w) => ({ ...w, keyId: "short" })), unwrapKey: async () => new Uint8Array(16) };
    const envelope = await seal(Buffer.alloc(1), { rootKeys: [short, kwB] });
    const error = await rejection(open(envelope, { rootKeys: [short] }), "ERR_ENVELOPE_KEYS_UNAVAILABLE");
    expect((error.attempts[0]!.error as { code: string }).code).toBe("ERR_ROOT_KEY_UNWRAP_FAILED");
  });
});
