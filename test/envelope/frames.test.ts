/** Frames bigger than the update() slice, and the frame-number backstop. */
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { FrameCipher, SLICE } from "../../src/envelope/frames.js";
import { DEFAULT_FRAME_LENGTH, DEFAULT_STREAM_FRAME_LENGTH, inspect, LocalRootKey, open, openStream, seal, sealStream } from "../../src/envelope/index.js";
import { a256kw, chunk, flipBit, rejection, through } from "./helpers.js";

let k1: LocalRootKey;
let k2: LocalRootKey;

beforeAll(async () => {
  [k1, k2] = await Promise.all([a256kw(), a256kw()]);
});

describe("default frame lengths", () => {
  it("seal writes 1 MiB frames and sealStream 256 KiB ones; either opens the other's output", async () => {
    const plaintext = randomBytes(DEFAULT_FRAME_LENGTH + 1);
    const sealed = await seal(plaintext, { rootKeys: [k1, k2] });
    const streamed = await through(sealStream({ rootKeys: [k1, k2] }), chunk(plaintext, [100_000]));
    expect([DEFAULT_FRAME_LENGTH, DEFAULT_STREAM_FRAME_LENGTH]).toEqual([1024 * 1024, 256 * 1024]);
    expect(inspect(sealed)).toMatchObject({ frameLength: DEFAULT_FRAME_LENGTH, frameCount: 2 });
    expect(inspect(streamed)).toMatchObject({ frameLength: DEFAULT_STREAM_FRAME_LENGTH, frameCount: 5 });
    expect((await through(openStream({ rootKeys: [k1] }), chunk(sealed, [65_536]))).equals(plaintext)).toBe(true);
    expect(Buffer.from(await open(streamed, { rootKeys: [k2] })).equals(plaintext)).toBe(true);
  });
});

describe("large frames", () => {
  it.each([
    ["one frame of 2.3 slices (4 MiB frames)", Math.floor(2.3 * SLICE), 4 * 1024 * 1024],
    ["several default stream frames and a partial final one", 3 * DEFAULT_STREAM_FRAME_LENGTH + 70_000, DEFAULT_STREAM_FRAME_LENGTH],
    ["exactly one default seal frame", DEFAULT_FRAME_LENGTH, DEFAULT_FRAME_LENGTH],
    ["frames not a multiple of the slice", 2 * (SLICE + 3) + 5, SLICE + 3],
    ["frames smaller than the slice", 2 * 100_003 + 5, 100_003],
  ])("%s: seal, sealStream, open and openStream agree", async (_name, size, frameLength) => {
    const plaintext = randomBytes(size);
    const sealed = await seal(plaintext, { rootKeys: [k1, k2], frameLength });
    const streamed = await through(sealStream({ rootKeys: [k1, k2], frameLength }), chunk(plaintext, [65_537, 1, 200_000]));
    expect(streamed.length).toBe(sealed.length);
    for (const envelope of [sealed, streamed]) {
      expect(Buffer.from(await open(envelope, { rootKeys: [k2] })).equals(plaintext)).toBe(true);
      expect((await through(openStream({ rootKeys: [k1] }), chunk(envelope, [99_999]))).equals(plaintext)).toBe(true);
    }
  });

  it("a flipped bit anywhere in a sliced frame fails the whole open", async () => {
    const frameLength = 3 * SLICE + 17;
    const envelope = await seal(randomBytes(3 * frameLength), { rootKeys: [k1, k2], frameLength });
    const h = inspect(envelope);
    const frame2 = h.bodyOffset + (1 + frameLength + 16);
    // Start, middle (past several slices) and end of the second frame's ciphertext, and its tag.
    for (const at of [frame2 + 1, frame2 + 1 + 2 * SLICE + 5, frame2 + frameLength, frame2 + frameLength + 10]) {
      await rejection(open(flipBit(envelope, at * 8), { rootKeys: [k1] }), "ERR_ENVELOPE_INTEGRITY");
      await rejection(through(openStream({ rootKeys: [k1] }), [flipBit(envelope, at * 8)]), "ERR_ENVELOPE_INTEGRITY");
    }
  });
});

describe("frame numbers", () => {
  it("never encrypts or decrypts outside 1 … 2^32-1 (the IV counter would wrap)", () => {
    const cipher = new FrameCipher(randomBytes(32), Buffer.alloc(80));
    const out = Buffer.alloc(64);
    for (const seq of [0, 2 ** 32, 2 ** 32 + 1]) {
      expect(() => cipher.sealInto(seq, true, Buffer.alloc(4), out, 0)).toThrow(expect.objectContaining({ code: "ERR_ENVELOPE_FORMAT" }));
      expect(() => cipher.open(seq, true, Buffer.alloc(4), Buffer.alloc(16))).toThrow(expect.objectContaining({ code: "ERR_ENVELOPE_FORMAT" }));
    }
    expect(cipher.sealInto(2 ** 32 - 1, true, Buffer.alloc(4), out, 0)).toBe(1 + 4 + 4 + 16);
  });
});
