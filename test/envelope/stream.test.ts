import { randomBytes } from "node:crypto";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { beforeAll, describe, expect, it } from "vitest";
import { inspect, LocalRootKey, open, openStream, seal, sealStream } from "../../src/envelope/index.js";
import { a256kw, chunk, rejection, through } from "./helpers.js";

let k1: LocalRootKey;
let k2: LocalRootKey;
const frameLength = 1000;
let plaintext: Buffer;
let envelope: Buffer;
let frames: { header: Buffer; regular: Buffer[]; final: Buffer };

beforeAll(async () => {
  [k1, k2] = await Promise.all([a256kw(), a256kw()]);
  plaintext = randomBytes(4500);
  envelope = await through(sealStream({ rootKeys: [k1, k2], frameLength, context: { s: "1" } }), chunk(plaintext, [333, 4000, 1]));
  const h = inspect(envelope);
  const size = 1 + frameLength + 16;
  const regular = Array.from({ length: h.frameCount - 1 }, (_, i) => envelope.subarray(h.bodyOffset + i * size, h.bodyOffset + (i + 1) * size));
  frames = { header: envelope.subarray(0, h.bodyOffset), regular, final: envelope.subarray(h.bodyOffset + regular.length * size) };
});

const openBoth = async (bytes: Uint8Array, code: string | RegExp) => {
  await rejection(open(bytes, { rootKeys: [k1] }), code);
  await rejection(through(openStream({ rootKeys: [k2] }), chunk(bytes, [700])), code);
};

describe("streaming", () => {
  it("round-trips multi-frame data for any chunking", async () => {
    expect(inspect(envelope).frameCount).toBe(5);
    for (const sizes of [[1, 7, 13, 500], [7, 3000], [1017], [100_000]]) {
      const again = await through(sealStream({ rootKeys: [k1, k2], frameLength }), chunk(plaintext, sizes));
      expect((await through(openStream({ rootKeys: [k2] }), chunk(again, sizes))).equals(plaintext)).toBe(true);
    }
    expect((await through(openStream({ rootKeys: [k1], context: { s: "1" } }), [envelope])).equals(plaintext)).toBe(true);
    await rejection(through(openStream({ rootKeys: [k1], context: { s: "2" } }), [envelope]), "ERR_ENVELOPE_CONTEXT_MISMATCH");
  });

  it("handles empty input and exact multiples of the frame length", async () => {
    const empty = await through(sealStream({ rootKeys: [k1, k2] }), []);
    expect(inspect(empty).frameCount).toBe(1);
    expect(await open(empty, { rootKeys: [k1] })).toHaveLength(0);
    expect(await through(openStream({ rootKeys: [k1] }), [empty])).toHaveLength(0);
    const exact = randomBytes(3 * frameLength);
    const sealed = await through(sealStream({ rootKeys: [k1, k2], frameLength }), [exact]);
    expect(inspect(sealed).frameCount).toBe(3); // the final frame is full
    expect((await through(openStream({ rootKeys: [k1] }), [sealed])).equals(exact)).toBe(true);
    const oneShot = await seal(exact, { rootKeys: [k1, k2], frameLength });
    expect(oneShot.length).toBe(sealed.length);
  });

  it("rejects reordered, duplicated and dropped frames", async () => {
    const [f1, f2, f3, f4] = frames.regular as [Buffer, Buffer, Buffer, Buffer];
    await openBoth(Buffer.concat([frames.header, f2, f1, f3, f4, frames.final]), "ERR_ENVELOPE_INTEGRITY");
    await openBoth(Buffer.concat([frames.header, f1, f1, f2, f3, f4, frames.final]), "ERR_ENVELOPE_INTEGRITY");
    await openBoth(Buffer.concat([frames.header, f1, f3, f4, frames.final]), "ERR_ENVELOPE_INTEGRITY");
  });

  it("rejects a missing final frame and truncation inside a frame", async () => {
    await openBoth(Buffer.concat([frames.header, ...frames.regular]), "ERR_ENVELOPE_TRUNCATED");
    await openBoth(envelope.subarray(0, envelope.length - 1), "ERR_ENVELOPE_TRUNCATED");
    await openBoth(envelope.subarray(0, frames.header.length + 500), "ERR_ENVELOPE_TRUNCATED");
    await openBoth(frames.header.subarray(0, 50), "ERR_ENVELOPE_TRUNCATED");
    // A regular frame relabelled as final (and vice versa) fails authentication or parsing.
    const relabelled = Buffer.concat([frames.header, frames.regular[0]!]);
    relabelled[frames.header.length] = 1;
    await openBoth(relabelled, /ERR_ENVELOPE_(FORMAT|INTEGRITY|TRUNCATED)/);
  });

  it("rejects data after the final frame", async () => {
    await openBoth(Buffer.concat([envelope, Buffer.from([0])]), "ERR_ENVELOPE_FORMAT");
    await openBoth(Buffer.concat([envelope, envelope]), "ERR_ENVELOPE_FORMAT");
  });

  it("honours the abort signal", async () => {
    const controller = new AbortController();
    let produced = 0;
    const source = new Readable({
      read() {
        produced++;
        if (produced === 5) controller.abort(new Error("stop"));
        this.push(randomBytes(10_000));
      },
    });
    const sink = new Writable({ write: (_c, _e, cb) => cb() });
    await rejection(pipeline(source, sealStream({ rootKeys: [k1, k2], abortSignal: controller.signal }), sink), "ERR_ENVELOPE_ABORTED");
    const c2 = new AbortController();
    const opener = openStream({ rootKeys: [k1], abortSignal: c2.signal });
    const pending = through(opener, chunk(envelope, [100]));
    c2.abort();
    await rejection(pending, "ERR_ENVELOPE_ABORTED");
    expect(() => sealStream({ rootKeys: [k1, k2], abortSignal: AbortSignal.abort() })).toThrow(expect.objectContaining({ code: "ERR_ENVELOPE_ABORTED" }));
  });

  it("streams 192 MiB without buffering it", async () => {
    const total = 192 * 1024 * 1024;
    const block = randomBytes(65536);
    let sent = 0;
    const source = new Readable({
      read() {
        if (sent >= total) return void this.push(null);
        sent += block.length;
        this.push(block);
      },
    });
    // Bytes read from the source but not yet delivered: bounded by back-pressure if nothing is
    // held, whatever the size (a deterministic stand-in for memory; RSS is measured in bench/).
    let received = 0;
    let mostInFlight = 0;
    await pipeline(
      source,
      sealStream({ rootKeys: [k1, k2] }),
      openStream({ rootKeys: [k2] }),
      new Writable({
        write(c: Buffer, _e, cb) {
          mostInFlight = Math.max(mostInFlight, sent - received); // before counting this chunk
          received += c.length;
          cb();
        },
      }),
    );
    expect(received).toBe(total);
    expect(mostInFlight).toBeLessThan(4 * 1024 * 1024); // a few 256 KiB frames, not the 192 MiB
  });
});
