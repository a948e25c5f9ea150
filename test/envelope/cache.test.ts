import { beforeAll, describe, expect, it } from "vitest";
import { createDataKeyCache, inspect, LocalRootKey, open, seal } from "../../src/envelope/index.js";
import { a256kw, rejection, SpyRootKey } from "./helpers.js";

let k1: LocalRootKey;
let k2: LocalRootKey;

beforeAll(async () => {
  [k1, k2] = await Promise.all([a256kw(), a256kw()]);
});

function setup(limits: { maxAgeInMs?: number; maxMessages?: number; maxBytes?: number } = {}) {
  let clock = 1_000;
  const cache = createDataKeyCache({ maxAgeInMs: 1_000, ...limits, now: () => clock });
  const spies = [new SpyRootKey(k1), new SpyRootKey(k2)];
  return {
    cache,
    spies,
    advance: (ms: number) => (clock += ms),
    seal: (size = 10, context?: Record<string, string>) => seal(new Uint8Array(size), { rootKeys: spies, cache, context }),
    /** The first wrapped entry identifies the data key (same data key ⇔ same entry bytes here). */
    keyOf: (envelope: Uint8Array) => Buffer.from(inspect(envelope).wrappedKeys[0]!.encryptedKey).toString("hex"),
  };
}

describe("data key cache (seal side)", () => {
  it("reuses a data key but never a message id, and never past maxAge", async () => {
    const t = setup({ maxAgeInMs: 1_000 });
    const first = await t.seal();
    t.advance(999);
    const second = await t.seal();
    expect(t.keyOf(second)).toBe(t.keyOf(first));
    expect(inspect(second).messageId).not.toEqual(inspect(first).messageId);
    expect(inspect(second).commitment).not.toEqual(inspect(first).commitment);
    expect(t.spies.map((s) => s.wraps)).toEqual([1, 1]);
    t.advance(1); // exactly maxAge: expired
    const third = await t.seal();
    expect(t.keyOf(third)).not.toBe(t.keyOf(first));
    expect(t.spies.map((s) => s.wraps)).toEqual([2, 2]);
    for (const envelope of [first, second, third]) expect(await open(envelope, { rootKeys: [k2] })).toHaveLength(10);
  });

  it("never serves a key for more than maxMessages messages", async () => {
    const t = setup({ maxMessages: 3 });
    const keys = [];
    for (let i = 0; i < 7; i++) keys.push(t.keyOf(await t.seal()));
    expect(new Set(keys.slice(0, 3)).size).toBe(1);
    expect(new Set(keys.slice(3, 6)).size).toBe(1);
    expect(keys[3]).not.toBe(keys[0]);
    expect(keys[6]).not.toBe(keys[3]);
    expect(t.spies[0]!.wraps).toBe(3);
  });

  it("never serves a key past maxBytes; larger messages bypass the cache", async () => {
    const t = setup({ maxBytes: 100 });
    const a = t.keyOf(await t.seal(40));
    const b = t.keyOf(await t.seal(60)); // 100 bytes: still within
    const c = t.keyOf(await t.seal(1)); // 101 would exceed
    expect(b).toBe(a);
    expect(c).not.toBe(a);
    const big1 = t.keyOf(await t.seal(101));
    const big2 = t.keyOf(await t.seal(101));
    expect(new Set([c, big1, big2]).size).toBe(3);
    expect(t.cache.stats().sealEntries).toBe(1);
  });

  it("partitions by root keys and context", async () => {
    const t = setup();
    const x = t.keyOf(await t.seal(1, { tenant: "a" }));
    const y = t.keyOf(await t.seal(1, { tenant: "b" }));
    const z = t.keyOf(await t.seal(1, { tenant: "a" }));
    expect(x).toBe(z);
    expect(y).not.toBe(x);
    const other = await seal(new Uint8Array(1), { rootKeys: [t.spies[1]!, t.spies[0]!], cache: t.cache, context: { tenant: "a" } });
    expect(inspect(other).wrappedKeys[0]!.keyId).toBe(k2.keyId);
    // The partition key is memoised between calls: the same array reordered is still another partition.
    const keys = [t.spies[0]!, t.spies[1]!];
    const first = await seal(new Uint8Array(1), { rootKeys: keys, cache: t.cache });
    keys.reverse();
    const second = await seal(new Uint8Array(1), { rootKeys: keys, cache: t.cache });
    expect(inspect(first).wrappedKeys[0]!.keyId).toBe(k1.keyId);
    expect(inspect(second).wrappedKeys[0]!.keyId).toBe(k2.keyId);
  });

  it("merges concurrent misses into one wrap per root key", async () => {
    const t = setup({ maxMessages: 1_000 });
    for (const s of t.spies) s.delayMs = 20;
    const envelopes = await Promise.all(Array.from({ length: 20 }, () => t.seal()));
    expect(t.spies.map((s) => s.wraps)).toEqual([1, 1]);
    expect(new Set(envelopes.map(t.keyOf)).size).toBe(1);
    expect(new Set(envelopes.map((e) => Buffer.from(inspect(e).messageId).toString("hex"))).size).toBe(20);
  });

  it("respects maxMessages under concurrency", async () => {
    const t = setup({ maxMessages: 5 });
    for (const s of t.spies) s.delayMs = 5;
    const envelopes = await Promise.all(Array.from({ length: 20 }, () => t.seal()));
    const counts = new Map<string, number>();
    for (const e of envelopes) counts.set(t.keyOf(e), (counts.get(t.keyOf(e)) ?? 0) + 1);
    expect(Math.max(...counts.values())).toBeLessThanOrEqual(5);
    expect(t.spies[0]!.wraps).toBe(4);
  });

  it("does not cache failures, and waiters see the leader's wrap failure", async () => {
    const t = setup();
    t.spies[0]!.delayMs = 5;
    t.spies[0]!.failWrap = () => new Error("vault down");
    const results = await Promise.allSettled([t.seal(), t.seal(), t.seal()]);
    expect(results.every((r) => r.status === "rejected")).toBe(true);
    expect(t.spies[0]!.wraps).toBe(1);
    t.spies[0]!.failWrap = undefined;
    await t.seal();
    expect(t.spies[0]!.wraps).toBe(2);
  });

  it("validates its limits", () => {
    for (const bad of [{}, { maxAgeInMs: 0 }, { maxAgeInMs: -1 }, { maxAgeInMs: Number.NaN }, { maxAgeInMs: 10, maxMessages: 0 }, { maxAgeInMs: 10, maxBytes: 1.5 }, { maxAgeInMs: 10, maxEntries: -1 }]) {
      expect(() => createDataKeyCache(bad as never)).toThrow(expect.objectContaining({ code: "ERR_ENVELOPE_INVALID_OPTIONS" }));
    }
  });

  it("clear() drops everything", async () => {
    const t = setup();
    const a = t.keyOf(await t.seal());
    t.cache.clear();
    expect(t.cache.stats().sealEntries).toBe(0);
    expect(t.keyOf(await t.seal())).not.toBe(a);
  });
});

describe("data key cache (open side)", () => {
  it("unwraps once for concurrent and repeated opens, within maxAge and maxMessages", async () => {
    const t = setup({ maxMessages: 4 });
    const envelopes = await Promise.all([t.seal(), t.seal(), t.seal()]); // one shared data key
    const reader = new SpyRootKey(k1);
    reader.delayMs = 10;
    await Promise.all(envelopes.map((e) => open(e, { rootKeys: [reader], cache: t.cache })));
    expect(reader.unwraps).toBe(1);
    await open(envelopes[0]!, { rootKeys: [reader], cache: t.cache });
    expect(reader.unwraps).toBe(1); // 4 uses so far
    await open(envelopes[0]!, { rootKeys: [reader], cache: t.cache });
    expect(reader.unwraps).toBe(2); // maxMessages reached: unwrapped again
    t.advance(1_000);
    await open(envelopes[1]!, { rootKeys: [reader], cache: t.cache });
    expect(reader.unwraps).toBe(3); // maxAge reached
  });

  it("a cached key does not open an envelope whose other fields were changed", async () => {
    const t = setup();
    const envelope = await t.seal();
    await open(envelope, { rootKeys: [k1], cache: t.cache });
    const tampered = Buffer.from(envelope);
    tampered[10]! ^= 1; // message id
    await rejection(open(tampered, { rootKeys: [k1], cache: t.cache }), "ERR_ENVELOPE_INTEGRITY");
    const h = inspect(envelope);
    const tag = Buffer.from(envelope);
    tag[h.headerLength - 1]! ^= 1; // key block tag
    await rejection(open(tag, { rootKeys: [k1], cache: t.cache }), "ERR_ENVELOPE_INTEGRITY");
  });

  it("shares an unwrap failure with concurrent waiters but does not cache it", async () => {
    const t = setup();
    const envelope = await t.seal();
    const reader = new SpyRootKey(k1);
    reader.delayMs = 5;
    reader.failUnwrap = () => Object.assign(new Error("no access"), { statusCode: 403 });
    const results = await Promise.allSettled([1, 2, 3].map(() => open(envelope, { rootKeys: [reader], cache: t.cache })));
    expect(results.map((r) => r.status === "rejected" && (r.reason as { code: string }).code)).toEqual(["ERR_ENVELOPE_REVOKED", "ERR_ENVELOPE_REVOKED", "ERR_ENVELOPE_REVOKED"]);
    expect(reader.unwraps).toBe(1);
    reader.failUnwrap = undefined;
    await open(envelope, { rootKeys: [reader], cache: t.cache });
    expect(reader.unwraps).toBe(2);
  });
});
