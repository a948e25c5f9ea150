import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { inspect, LocalRootKey, open, rewrap, seal } from "../../src/envelope/index.js";
import { a256kw, flipBit, rejection, rsa2048, SpyRootKey } from "./helpers.js";

let a: LocalRootKey;
let b: LocalRootKey;
let c: LocalRootKey;
let d: LocalRootKey;

beforeAll(async () => {
  [a, b, c, d] = await Promise.all([rsa2048(), a256kw(), a256kw(), rsa2048()]);
});

const body = (envelope: Uint8Array) => {
  const h = inspect(envelope);
  return Buffer.from(envelope.subarray(h.bodyOffset, h.bodyOffset + h.bodyLength));
};

describe("rewrap", () => {
  it("replaces the wrapped keys and keeps the body byte-identical", async () => {
    const plaintext = randomBytes(200_000);
    const original = await seal(plaintext, { rootKeys: [a, b], context: { app: "mail" }, frameLength: 4096 });
    const rolled = await rewrap(original, { unwrapWith: [a], wrapWith: [c, d] });
    expect(body(rolled).equals(body(original))).toBe(true);
    const [before, after] = [inspect(original), inspect(rolled)];
    expect(after.wrappedKeys.map((w) => w.keyId)).toEqual([c.keyId, d.keyId]);
    expect(after.messageId).toEqual(before.messageId);
    expect(after.commitment).toEqual(before.commitment);
    expect(after.context).toEqual(before.context);
    expect(after.frameLength).toBe(before.frameLength);
    // New keys alone open it; the old keys are no longer needed (nor usable).
    expect(Buffer.from(await open(rolled, { rootKeys: [c] })).equals(plaintext)).toBe(true);
    expect(Buffer.from(await open(rolled, { rootKeys: [d] })).equals(plaintext)).toBe(true);
    await rejection(open(rolled, { rootKeys: [a, b] }), "ERR_ENVELOPE_NO_MATCHING_KEY");
    // And the original still opens with the old keys.
    expect(Buffer.from(await open(original, { rootKeys: [b] })).equals(plaintext)).toBe(true);
  });

  it("rolls to new versions of the same keys", async () => {
    const original = await seal(Buffer.from("versioned"), { rootKeys: [a, b] });
    const [a2, b2] = [await a.rotate(), await b.rotate()];
    const rolled = await rewrap(original, { unwrapWith: [a2], wrapWith: [a2, b2] });
    expect(inspect(rolled).wrappedKeys.map((w) => w.keyId)).toEqual([`${a.id}/${a2.version}`, `${b.id}/${b2.version}`]);
    expect(body(rolled).equals(body(original))).toBe(true);
    expect(Buffer.from(await open(rolled, { rootKeys: [a2.currentVersionOnly()] })).toString()).toBe("versioned");
    expect(Buffer.from(await open(rolled, { rootKeys: [b2.currentVersionOnly()] })).toString()).toBe("versioned");
    // The old version alone matches by id but cannot unwrap the new version.
    const error = await rejection(open(rolled, { rootKeys: [a, b] }), "ERR_ENVELOPE_KEYS_UNAVAILABLE");
    expect(error.attempts.map((t) => (t.error as { code: string }).code)).toEqual(["ERR_ROOT_KEY_VERSION_NOT_FOUND", "ERR_ROOT_KEY_VERSION_NOT_FOUND"]);
  });

  it("can be chained and keeps working with failover on the unwrap side", async () => {
    const plaintext = randomBytes(100);
    let envelope = await seal(plaintext, { rootKeys: [a, b] });
    const failing = new SpyRootKey(a);
    failing.failUnwrap = () => new Error("vault down");
    envelope = await rewrap(envelope, { unwrapWith: [failing, b], wrapWith: [b, c] });
    envelope = await rewrap(envelope, { unwrapWith: [c], wrapWith: [d, a] });
    expect(failing.unwraps).toBe(1);
    expect(Buffer.from(await open(envelope, { rootKeys: [a] })).equals(plaintext)).toBe(true);
  });

  it("checks its inputs: minRootKeys, context, tampering", async () => {
    const original = await seal(Buffer.from("x"), { rootKeys: [a, b], context: { k: "v" } });
    await rejection(rewrap(original, { unwrapWith: [a], wrapWith: [c] }), "ERR_ENVELOPE_TOO_FEW_ROOT_KEYS");
    const single = await rewrap(original, { unwrapWith: [a], wrapWith: [c], minRootKeys: 1 });
    expect(inspect(single).wrappedKeys).toHaveLength(1);
    await rejection(rewrap(original, { unwrapWith: [a], wrapWith: [c, d], context: { k: "w" } }), "ERR_ENVELOPE_CONTEXT_MISMATCH");
    // A tampered key block is not laundered into a freshly authenticated one.
    const h = inspect(original);
    await rejection(rewrap(flipBit(original, (h.headerLength - 1) * 8), { unwrapWith: [a], wrapWith: [c, d] }), "ERR_ENVELOPE_INTEGRITY");
    // A tampered body is carried over unchanged and still fails when opened.
    const badBody = flipBit(original, (original.length - 1) * 8);
    const carried = await rewrap(badBody, { unwrapWith: [a], wrapWith: [c, d] });
    await rejection(open(carried, { rootKeys: [c] }), "ERR_ENVELOPE_INTEGRITY");
    await rejection(rewrap(original, { unwrapWith: [c], wrapWith: [c, d] }), "ERR_ENVELOPE_NO_MATCHING_KEY");
  });
});
