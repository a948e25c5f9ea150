/** Key material is zeroed on every path, including streams destroyed while a root key answers. */
import { randomBytes } from "node:crypto";
import { PassThrough } from "node:stream";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { FrameCipher } from "../../src/envelope/frames.js";
import { LocalRootKey, openStream, seal, sealStream } from "../../src/envelope/index.js";
import { deriveKeyMaterial, destroyKeyMaterial } from "../../src/envelope/kdf.js";
import { a256kw, rejection, sleep, SpyRootKey } from "./helpers.js";

let k1: LocalRootKey;
let k2: LocalRootKey;

beforeAll(async () => {
  [k1, k2] = await Promise.all([a256kw(), a256kw()]);
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** Records every FrameCipher that did crypto, and every one destroyed (content key zeroed). */
function trackFrameCiphers() {
  const used = new Set<FrameCipher>();
  const destroyed = new Set<FrameCipher>();
  let afterDestroy = 0;
  let streamDestroyed = false;
  for (const method of ["open", "openInto", "sealInto", "sealParts"] as const) {
    const original = FrameCipher.prototype[method] as (...args: unknown[]) => unknown;
    vi.spyOn(FrameCipher.prototype, method).mockImplementation(function (this: FrameCipher, ...args: unknown[]) {
      used.add(this);
      if (streamDestroyed) afterDestroy++;
      return original.apply(this, args);
    } as never);
  }
  const destroy = FrameCipher.prototype.destroy;
  vi.spyOn(FrameCipher.prototype, "destroy").mockImplementation(function (this: FrameCipher) {
    destroyed.add(this);
    destroy.call(this);
  });
  return {
    markDestroyed: () => (streamDestroyed = true),
    check: () => {
      expect(afterDestroy, "crypto after the stream was destroyed").toBe(0);
      for (const cipher of used) expect(destroyed.has(cipher), "a content key was left unzeroed").toBe(true);
    },
  };
}

function slow(key: LocalRootKey): SpyRootKey {
  const spy = new SpyRootKey(key);
  spy.delayMs = 40;
  return spy;
}

describe("key hygiene", () => {
  it("openStream destroyed while the root key unwraps derives no content key afterwards", async () => {
    const envelope = await seal(randomBytes(100), { rootKeys: [k1, k2], frameLength: 16 });
    const tracker = trackFrameCiphers();
    const reader = slow(k1);
    const stream = openStream({ rootKeys: [reader] });
    stream.on("error", () => {});
    const data: Buffer[] = [];
    stream.on("data", (c: Buffer) => data.push(c));
    stream.write(envelope.subarray(0, envelope.length - 30)); // header and several whole frames
    await sleep(5);
    stream.destroy();
    tracker.markDestroyed();
    await sleep(80); // the unwrap completes after the destroy
    expect(reader.unwraps).toBe(1);
    expect(data).toHaveLength(0);
    tracker.check();
  });

  it("sealStream destroyed while the root keys wrap derives no content key afterwards", async () => {
    const tracker = trackFrameCiphers();
    const keys = [slow(k1), slow(k2)];
    const stream = sealStream({ rootKeys: keys, frameLength: 16 });
    stream.on("error", () => {});
    const data: Buffer[] = [];
    stream.on("data", (c: Buffer) => data.push(c));
    stream.write(randomBytes(100)); // several frames' worth
    await sleep(5);
    stream.destroy();
    tracker.markDestroyed();
    await sleep(80);
    expect(keys.map((k) => k.wraps)).toEqual([1, 1]);
    expect(data).toHaveLength(0);
    tracker.check();
  });

  it("streams that finish, fail or are aborted mid-body zero their content key", async () => {
    const tracker = trackFrameCiphers();
    const envelope = await seal(randomBytes(100), { rootKeys: [k1, k2], frameLength: 16 });
    const out = new PassThrough();
    const opener = openStream({ rootKeys: [k1] });
    opener.pipe(out).resume();
    opener.end(envelope);
    await new Promise((resolve) => out.on("end", resolve));
    const broken = Buffer.from(envelope);
    broken[broken.length - 1]! ^= 1;
    const failing = openStream({ rootKeys: [k1] });
    const failed = new Promise((resolve) => failing.on("error", resolve));
    failing.resume();
    failing.end(broken);
    await failed;
    const sealer = sealStream({ rootKeys: [k1, k2], frameLength: 16 });
    sealer.resume();
    sealer.write(randomBytes(100));
    await sleep(5);
    sealer.destroy();
    tracker.check();
  });

  it("destroyKeyMaterial zeroes every byte derived from the data key", () => {
    const material = deriveKeyMaterial(randomBytes(32));
    destroyKeyMaterial(material);
    for (const part of [material.dataKey, material.prk, material.macKey, material.prkPads]) {
      // The whole backing store: a view into a larger buffer would leave the rest behind.
      expect(new Uint8Array(part.buffer).every((b) => b === 0)).toBe(true);
    }
  });
});

describe("two root keys means two keys", () => {
  it("rejects a key listed under its versionless and its versioned id", async () => {
    const sameKeyVersioned = { id: k1.keyId, wrapKey: k1.wrapKey.bind(k1), unwrapKey: k1.unwrapKey.bind(k1) };
    const error = await rejection(seal(Buffer.from("x"), { rootKeys: [k1, sameKeyVersioned] }), "ERR_ENVELOPE_INVALID_OPTIONS");
    expect(error.message).toContain("same key");
    await rejection(
      sealStream({ rootKeys: [sameKeyVersioned, k1] }).end(Buffer.from("x")).toArray(),
      "ERR_ENVELOPE_INVALID_OPTIONS",
    );
  });
});
