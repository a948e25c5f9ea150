/**
 * Child process of the envelope benchmark: streams N bytes of generated plaintext through
 * sealStream (and, with --roundtrip, straight into openStream) into a sink that discards, then
 * prints peak RSS as JSON. Nothing holds the whole payload.
 *
 * Peak RSS is VmHWM from /proc/self/status where available: getrusage's maxRSS survives
 * fork+exec on Linux, so a child would report its (big) parent's peak.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { LocalRootKey, openStream, sealStream } from "../../src/envelope/index.js";

const total = Number(process.argv[2] ?? 1024 ** 3);
const roundtrip = process.argv.includes("--roundtrip");
const chunkSize = 64 * 1024;

/** Pseudo-random-ish bytes: one random block, with a counter stamped into each chunk. */
function source(): Readable {
  const block = randomBytes(chunkSize);
  let sent = 0;
  return new Readable({
    highWaterMark: chunkSize,
    read() {
      if (sent >= total) return void this.push(null);
      const n = Math.min(chunkSize, total - sent);
      const chunk = Buffer.from(block.subarray(0, n));
      chunk.writeUInt32BE((sent / chunkSize) >>> 0, 0);
      sent += n;
      this.push(chunk);
    },
  });
}

const keys = [await LocalRootKey.generate({ algorithm: "A256KW" }), await LocalRootKey.generate({ algorithm: "A256KW" })];
function peakMiB(): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
    if (match) return Number(match[1]) / 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS / 1024;
}

const baseline = peakMiB();
let bytesOut = 0;
const sink = new Writable({
  write(chunk: Buffer, _encoding, callback) {
    bytesOut += chunk.length;
    callback();
  },
});
const started = performance.now();
const stages = roundtrip ? [sealStream({ rootKeys: keys }), openStream({ rootKeys: keys })] : [sealStream({ rootKeys: keys })];
await pipeline([source(), ...stages, sink]);
const seconds = (performance.now() - started) / 1000;
process.stdout.write(
  JSON.stringify({ total, bytesOut, seconds, baselineMiB: baseline, peakMiB: peakMiB() }) + "\n",
);
