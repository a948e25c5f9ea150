import { beforeAll, describe, expect, it } from "vitest";
import {
  EnvelopeAbortError,
  EnvelopeDecryptError,
  isAccessDeniedError,
  LocalRootKey,
  open,
  RootKeyRevokedError,
  seal,
} from "../../src/envelope/index.js";
import { a256kw, forbidden, rejection, SpyRootKey } from "./helpers.js";

let k1: LocalRootKey;
let k2: LocalRootKey;
let envelope: Uint8Array;

beforeAll(async () => {
  [k1, k2] = await Promise.all([a256kw(), a256kw()]);
  envelope = await seal(Buffer.from("failover"), { rootKeys: [k1, k2] });
});

describe("failover", () => {
  it("falls over from a throwing first key to the second", async () => {
    const first = new SpyRootKey(k1);
    first.failUnwrap = () => new Error("timeout");
    const second = new SpyRootKey(k2);
    expect(Buffer.from(await open(envelope, { rootKeys: [first, second] })).toString()).toBe("failover");
    expect([first.unwraps, second.unwraps]).toEqual([1, 1]);
  });

  it("tries entries in envelope order when listed, whatever the root key order", async () => {
    const [s1, s2] = [new SpyRootKey(k1), new SpyRootKey(k2)];
    await open(envelope, { rootKeys: [s2, s1] });
    expect([s1.unwraps, s2.unwraps]).toEqual([1, 0]);
  });

  it("order: random spreads the first attempt over the keys", async () => {
    const [s1, s2] = [new SpyRootKey(k1), new SpyRootKey(k2)];
    for (let i = 0; i < 40; i++) await open(envelope, { rootKeys: [s1, s2], order: "random" });
    expect(s1.unwraps + s2.unwraps).toBe(40);
    expect(s1.unwraps).toBeGreaterThan(0);
    expect(s2.unwraps).toBeGreaterThan(0);
  });

  it("all access-denied failures → ERR_ENVELOPE_REVOKED with every attempt in cause", async () => {
    const [s1, s2] = [new SpyRootKey(k1), new SpyRootKey(k2)];
    s1.failUnwrap = () => forbidden();
    s2.failUnwrap = () => new RootKeyRevokedError("key disabled");
    const error = await rejection(open(envelope, { rootKeys: [s1, s2] }), "ERR_ENVELOPE_REVOKED");
    expect(error).toBeInstanceOf(EnvelopeDecryptError);
    expect(error.cause).toBeInstanceOf(AggregateError);
    expect((error.cause as AggregateError).errors).toHaveLength(2);
    expect(error.attempts.map((a) => a.keyId)).toEqual([k1.keyId, k2.keyId]);
  });

  it("mixed failures → ERR_ENVELOPE_KEYS_UNAVAILABLE with every attempt in cause", async () => {
    const [s1, s2] = [new SpyRootKey(k1), new SpyRootKey(k2)];
    const e1 = forbidden();
    const e2 = new Error("ECONNRESET");
    s1.failUnwrap = () => e1;
    s2.failUnwrap = () => e2;
    const error = await rejection(open(envelope, { rootKeys: [s1, s2] }), "ERR_ENVELOPE_KEYS_UNAVAILABLE");
    expect((error.cause as AggregateError).errors).toEqual([e1, e2]);
    expect(error.attempts.map((a) => a.error)).toEqual([e1, e2]);
    expect(error.attempts.map((a) => a.rootKeyId)).toEqual([k1.id, k2.id]);
  });

  it("no matching entry → ERR_ENVELOPE_NO_MATCHING_KEY without calling anything", async () => {
    const stranger = new SpyRootKey(await a256kw());
    await rejection(open(envelope, { rootKeys: [stranger] }), "ERR_ENVELOPE_NO_MATCHING_KEY");
    expect(stranger.unwraps).toBe(0);
  });

  it("classifies access-denied errors", () => {
    expect(isAccessDeniedError(Object.assign(new Error(), { statusCode: 401 }))).toBe(true);
    expect(isAccessDeniedError(Object.assign(new Error(), { statusCode: 403 }))).toBe(true);
    for (const code of ["Forbidden", "AccessDenied", "ForbiddenByRbac", "ERR_ROOT_KEY_REVOKED"]) {
      expect(isAccessDeniedError(Object.assign(new Error(), { code }))).toBe(true);
    }
    expect(isAccessDeniedError(new Error("x", { cause: forbidden() }))).toBe(true);
    expect(isAccessDeniedError(new RootKeyRevokedError("gone"))).toBe(true);
    expect(isAccessDeniedError(Object.assign(new Error(), { statusCode: 500 }))).toBe(false);
    expect(isAccessDeniedError("Forbidden")).toBe(false);
    const cyclic: { cause?: unknown } = {};
    cyclic.cause = cyclic;
    expect(isAccessDeniedError(cyclic)).toBe(false);
  });
});

describe("abort", () => {
  it("passes the signal to unwrap and stops between attempts", async () => {
    const controller = new AbortController();
    const [s1, s2] = [new SpyRootKey(k1), new SpyRootKey(k2)];
    s1.failUnwrap = () => {
      controller.abort(new Error("user cancelled"));
      return new Error("cancelled");
    };
    const error = await rejection(open(envelope, { rootKeys: [s1, s2], abortSignal: controller.signal }), "ERR_ENVELOPE_ABORTED");
    expect(error).toBeInstanceOf(EnvelopeAbortError);
    expect(s1.signals[0]).toBe(controller.signal);
    expect(s2.unwraps).toBe(0);
  });

  it("passes the signal to wrap, and an aborted signal stops seal and open up front", async () => {
    const controller = new AbortController();
    const [s1, s2] = [new SpyRootKey(k1), new SpyRootKey(k2)];
    await seal(Buffer.alloc(1), { rootKeys: [s1, s2], abortSignal: controller.signal });
    expect(s1.signals[0]).toBe(controller.signal);
    controller.abort();
    await rejection(seal(Buffer.alloc(1), { rootKeys: [s1, s2], abortSignal: controller.signal }), "ERR_ENVELOPE_ABORTED");
    await rejection(open(envelope, { rootKeys: [s1], abortSignal: controller.signal }), "ERR_ENVELOPE_ABORTED");
    expect(s1.wraps).toBe(1);
  });

  it("aborting during a slow wrap rejects seal", async () => {
    const controller = new AbortController();
    const slow = new SpyRootKey(k1);
    slow.delayMs = 50;
    slow.failWrap = () => (controller.signal.aborted ? controller.signal.reason : undefined);
    const pending = seal(Buffer.alloc(1), { rootKeys: [slow, k2], abortSignal: controller.signal });
    controller.abort(new Error("stop"));
    await rejection(pending, "ERR_ENVELOPE_ABORTED");
  });
});
