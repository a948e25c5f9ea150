import fc from "fast-check";
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import {
  EnvelopeError,
  EnvelopeFormatError,
  inspect,
  LocalRootKey,
  open,
  openStream,
  rewrap,
  seal,
} from "../../src/envelope/index.js";
import { a256kw, flipBit, rejection, through } from "./helpers.js";

let k1: LocalRootKey;
let k2: LocalRootKey;
let small: Uint8Array; // one frame
let framed: Uint8Array; // several frames
const context = { tenant: "contoso", purpose: "mailbox" };

beforeAll(async () => {
  [k1, k2] = await Promise.all([a256kw(), a256kw()]);
  small = await seal(Buffer.from("sixteen byte msg"), { rootKeys: [k1, k2], context });
  framed = await seal(randomBytes(5000), { rootKeys: [k1, k2], context, frameLength: 1024 });
});

/** Must reject with an EnvelopeError, whatever key set / order is used. */
async function rejected(envelope: Uint8Array): Promise<EnvelopeError> {
  return rejection(open(envelope, { rootKeys: [k1, k2] }));
}

describe("tampering", () => {
  it("rejects every single-bit flip of a one-frame envelope (exhaustive)", async () => {
    const codes = new Set<string>();
    for (let bit = 0; bit < small.length * 8; bit++) codes.add((await rejected(flipBit(small, bit))).code);
    // Flips land in the format checks, the commitment, the key block tag and the GCM tag.
    expect([...codes].sort()).toEqual(expect.arrayContaining(["ERR_ENVELOPE_FORMAT", "ERR_ENVELOPE_INTEGRITY", "ERR_ENVELOPE_UNSUPPORTED_VERSION"]));
  });

  it("rejects any single-bit flip of a multi-frame envelope, with either key alone too", async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: framed.length * 8 - 1 }), fc.constantFrom(0, 1, 2), async (bit, which) => {
        const keys = [[k1, k2], [k1], [k2]][which]!;
        const error = await rejection(open(flipBit(framed, bit), { rootKeys: keys, context }));
        expect(error).toBeInstanceOf(EnvelopeError);
      }),
      { numRuns: 300 },
    );
  });

  it("rejects truncation at every length and any extension", async () => {
    for (let n = 0; n < framed.length; n += n < 700 ? 1 : 37) {
      const error = await rejected(framed.subarray(0, n));
      expect(error).toBeInstanceOf(EnvelopeFormatError);
    }
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 64 }), async (tail) => {
        const error = await rejected(Buffer.concat([framed, tail]));
        expect(error).toBeInstanceOf(EnvelopeFormatError);
      }),
      { numRuns: 50 },
    );
  });

  it("rejects a wrapped entry swapped in from another envelope", async () => {
    const other = await seal(Buffer.from("sixteen byte msg"), { rootKeys: [k1, k2], context });
    const mine = inspect(small);
    const theirs = inspect(other);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(0, 1), fc.constantFrom(0, 1, 2), async (entry, which) => {
        // Same key ids and sizes, so the entry's bytes can be swapped in place.
        const target = Buffer.from(small);
        const at = target.indexOf(Buffer.from(mine.wrappedKeys[entry]!.encryptedKey));
        target.set(theirs.wrappedKeys[entry]!.encryptedKey, at);
        const keys = [[k1, k2], [k1], [k2]][which]!;
        await rejection(open(target, { rootKeys: keys }), /ERR_ENVELOPE_(INTEGRITY|KEYS_UNAVAILABLE)/);
      }),
      { numRuns: 6 },
    );
    // The whole key block (entries + tag) from the other envelope: commitment fails for all.
    const target = Buffer.from(small);
    const blockStart = 75 + 2 + Object.entries(context).reduce((n, [k, v]) => n + 4 + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
    expect(theirs.headerLength).toBe(mine.headerLength);
    target.set(other.subarray(blockStart, theirs.headerLength), blockStart);
    await rejection(open(target, { rootKeys: [k1, k2] }), "ERR_ENVELOPE_INTEGRITY");
  });

  it("rejects a different context, asked for or written into the header", async () => {
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 4 }), async (other) => {
        fc.pre(JSON.stringify(Object.entries(other).sort()) !== JSON.stringify(Object.entries(context).sort()));
        await rejection(open(small, { rootKeys: [k1], context: other }), "ERR_ENVELOPE_CONTEXT_MISMATCH");
      }),
      { numRuns: 50 },
    );
    // Same length, different value, edited in place: the body AAD no longer matches.
    const edited = Buffer.from(small);
    const at = edited.indexOf(Buffer.from("contoso"));
    edited.write("fabrika", at);
    expect(inspect(edited).context.tenant).toBe("fabrika");
    await rejection(open(edited, { rootKeys: [k1, k2] }), "ERR_ENVELOPE_INTEGRITY");
    await rejection(rewrap(edited, { unwrapWith: [k1], wrapWith: [k1, k2] }).then((e) => open(e, { rootKeys: [k1] })), "ERR_ENVELOPE_INTEGRITY");
  });
});

describe("malformed input", () => {
  it("random bytes only ever give EnvelopeFormatError (open, inspect, openStream)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), fc.boolean(), async (bytes, plausible) => {
        if (plausible && bytes.length > 7) {
          bytes[0] = 1; // get past the version and suite checks
          bytes[1] = 0;
          bytes[2] = 1;
        }
        const error = await rejection(open(bytes, { rootKeys: [k1, k2] }));
        expect(error).toBeInstanceOf(EnvelopeFormatError);
        expect(() => inspect(bytes)).toThrow(EnvelopeFormatError);
        const streamError = await rejection(through(openStream({ rootKeys: [k1] }), [bytes]));
        expect(streamError).toBeInstanceOf(EnvelopeFormatError);
      }),
      { numRuns: 300 },
    );
  });

  it("random overwrites of a valid envelope only ever give envelope errors", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.nat({ max: framed.length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), async (edits) => {
        const copy = Buffer.from(framed);
        for (const [at, value] of edits) copy[at] = value;
        fc.pre(!copy.equals(framed));
        await rejection(open(copy, { rootKeys: [k1, k2] }));
      }),
      { numRuns: 200 },
    );
  });

  it("header length fields pointing anywhere give format errors", async () => {
    for (const value of [0, 1, 74, 110, small.length, 0xffffffff]) {
      const copy = Buffer.from(small);
      copy.writeUInt32BE(value, 3);
      await rejection(open(copy, { rootKeys: [k1] }), /ERR_ENVELOPE_(FORMAT|TRUNCATED|LIMIT_EXCEEDED)/);
    }
  });
});
