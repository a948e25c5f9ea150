/**
 * The warm-cache open path (recoverCached, the reused key block parse, the expected-context
 * shortcut in parseHeader): every check the cold path makes must still refuse a modified envelope.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { OFFSET_CONTEXT } from "../../src/envelope/constants.js";
import { createDataKeyCache, inspect, LocalRootKey, open, seal } from "../../src/envelope/index.js";
import { a256kw, rejection, SpyRootKey } from "./helpers.js";

let k1: LocalRootKey;
let k2: LocalRootKey;

beforeAll(async () => {
  [k1, k2] = await Promise.all([a256kw(), a256kw()]);
});

const context = { tenant: "contoso", purpose: "test" };

/** A cache already holding the data key of `envelope` (one unwrap done). */
async function warm() {
  const spies = [new SpyRootKey(k1), new SpyRootKey(k2)];
  const cache = createDataKeyCache({ maxAgeInMs: 60_000 });
  const envelope = await seal(Buffer.from("hello warm cache"), { rootKeys: [k1, k2], context, cache });
  expect(Buffer.from(await open(envelope, { rootKeys: spies, context, cache })).toString()).toBe("hello warm cache");
  expect(cache.stats()).toMatchObject({ openMisses: 1, openHits: 0 });
  return { spies, cache, envelope };
}

/** Offset of the key block (count byte) in an envelope. */
function keyBlockAt(envelope: Uint8Array): number {
  const h = inspect(envelope);
  const tagAndEntries = h.wrappedKeys.reduce((n, w) => n + 2 + Buffer.byteLength(w.keyId) + 1 + w.algorithm.length + 2 + w.encryptedKey.length, 1 + 32);
  return h.headerLength - tagAndEntries;
}

describe("open with a warm cache", () => {
  it("opens from the cache without a key service call", async () => {
    const { spies, cache, envelope } = await warm();
    for (let i = 0; i < 3; i++) await open(envelope, { rootKeys: spies, context, cache });
    expect(spies.map((s) => s.unwraps)).toEqual([1, 0]);
    expect(cache.stats()).toMatchObject({ openHits: 3, openMisses: 1 });
  });

  it("refuses a tampered key block tag even though the wrapped entry is cached", async () => {
    const { spies, cache, envelope } = await warm();
    const bad = Buffer.from(envelope);
    bad[inspect(envelope).headerLength - 1]! ^= 1; // last byte of the key block tag
    await rejection(open(bad, { rootKeys: spies, context, cache }), "ERR_ENVELOPE_INTEGRITY");
    // The untouched envelope still opens: the failure poisoned nothing.
    expect(await open(envelope, { rootKeys: spies, context, cache })).toHaveLength(16);
  });

  it("refuses a tampered wrapped key: it is not the cached entry, and it does not unwrap to the committed key", async () => {
    const { spies, cache, envelope } = await warm();
    const bad = Buffer.from(envelope);
    const h = inspect(envelope);
    bad[h.headerLength - 32 - 1]! ^= 1; // last byte of the last entry's encrypted key
    await rejection(open(bad, { rootKeys: spies, context, cache }), /ERR_ENVELOPE_INTEGRITY/);
  });

  it("refuses a tampered commitment on the warm path", async () => {
    const { spies, cache, envelope } = await warm();
    const bad = Buffer.from(envelope);
    bad[43]! ^= 1; // OFFSET_COMMITMENT
    await rejection(open(bad, { rootKeys: spies, context, cache }), "ERR_ENVELOPE_INTEGRITY");
  });

  it("does not serve a caller who holds none of the envelope's root keys", async () => {
    const { cache, envelope } = await warm();
    const stranger = await a256kw();
    await rejection(open(envelope, { rootKeys: [stranger], context, cache }), "ERR_ENVELOPE_NO_MATCHING_KEY");
    expect(cache.stats().openHits).toBe(0);
  });

  it("still honours maxMessages on the warm path", async () => {
    const spies = [new SpyRootKey(k1)];
    const cache = createDataKeyCache({ maxAgeInMs: 60_000, maxMessages: 2 });
    const envelope = await seal(Buffer.from("x"), { rootKeys: [k1], minRootKeys: 1 });
    for (let i = 0; i < 5; i++) await open(envelope, { rootKeys: spies, cache });
    expect(spies[0]!.unwraps).toBe(3); // uses 1-2, 3-4, 5
  });
});

describe("the expected context shortcut and the reused key block", () => {
  it("refuses a changed context value of the same length", async () => {
    const { cache, envelope } = await warm();
    const bad = Buffer.from(envelope);
    const at = bad.indexOf(Buffer.from("contoso"), OFFSET_CONTEXT);
    bad[at]! ^= 0x20; // "Contoso": same length, different bytes
    // The header decodes (a valid context), but it is not the expected one...
    await rejection(open(bad, { rootKeys: [k1], context, cache }), "ERR_ENVELOPE_CONTEXT_MISMATCH");
    // ...and with the doctored context expected, the body's AAD refuses it.
    await rejection(open(bad, { rootKeys: [k1], context: { tenant: "Contoso", purpose: "test" }, cache }), "ERR_ENVELOPE_INTEGRITY");
  });

  it("a matching context prefix does not hide a malformed rest of the header", async () => {
    const { cache, envelope } = await warm();
    const bad = Buffer.from(envelope);
    bad[keyBlockAt(envelope)] = 0; // wrapped key count 0
    await rejection(open(bad, { rootKeys: [k1], context, cache }), "ERR_ENVELOPE_FORMAT");
  });

  it("applies the caller's limits to a key block parsed before", async () => {
    const { cache, envelope } = await warm();
    await open(envelope, { rootKeys: [k1], context, cache }); // the block is now the remembered one
    await rejection(open(envelope, { rootKeys: [k1], context, cache, limits: { maxWrappedKeys: 1 } }), "ERR_ENVELOPE_LIMIT_EXCEEDED");
  });

  it("is not fooled when the caller's buffer changes after a parse", async () => {
    const { cache, envelope } = await warm();
    const mine = Buffer.from(envelope);
    await open(mine, { rootKeys: [k1], context, cache });
    const idAt = mine.indexOf(Buffer.from(k2.id), keyBlockAt(mine));
    mine[idAt + 1]! ^= 1; // the second key id, in the buffer parsed a moment ago
    const h = inspect(mine);
    expect(h.wrappedKeys[1]!.keyId).not.toBe(k2.id);
    // Only k2 held: its entry no longer names it.
    await rejection(open(mine, { rootKeys: [k2], context }), "ERR_ENVELOPE_NO_MATCHING_KEY");
  });

  it("inspect still reports the decoded context after an open took the shortcut", async () => {
    const { cache, envelope } = await warm();
    await open(envelope, { rootKeys: [k1], context, cache });
    expect(inspect(envelope).context).toEqual(context);
  });
});
