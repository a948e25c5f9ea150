/**
 * Envelope benchmark: bare node:crypto AES-256-GCM (the limit) vs customer-key/envelope (fresh
 * data key, cached data key; two local root keys) vs the AWS Encryption SDK 5.0.2 (two raw AES
 * keyrings, committed unsigned suite). Plus peak RSS of a streamed 1 GiB seal in a child process.
 *
 *   node --import tsx bench/envelope/index.ts            # full run
 *   node --import tsx bench/envelope/index.ts --quick    # smoke run (or BENCH_QUICK=1)
 */
import {
  AlgorithmSuiteIdentifier,
  buildClient,
  CommitmentPolicy,
  MultiKeyringNode,
  RawAesKeyringNode,
  RawAesWrappingSuiteIdentifier,
} from "@aws-crypto/client-node";
import { execFileSync } from "node:child_process";
import { createCipheriv, createDecipheriv, randomBytes, randomFillSync } from "node:crypto";
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { createDataKeyCache, LocalRootKey, open, seal, type RootKey } from "../../src/envelope/index.js";
import { buildChild } from "./build-child.js";

const quick = process.argv.includes("--quick") || process.env.BENCH_QUICK === "1";
const rounds = quick ? 1 : 5;
const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const context = { purpose: "bench", tenant: "contoso" };

type Fn = (input: Uint8Array) => Uint8Array | Promise<Uint8Array>;
interface Impl {
  name: string;
  seal: Fn;
  open: Fn;
  /** Divide the message count (slow private-key operations). */
  divisor?: number;
}

// --- implementations -------------------------------------------------------------------------
const gcmKey = randomBytes(32);
function bareGcm(name: string, iv: () => Uint8Array): Impl {
  return {
    name,
    seal(pt) {
      const nonce = iv();
      const cipher = createCipheriv("aes-256-gcm", gcmKey, nonce);
      const ct = cipher.update(pt);
      cipher.final();
      return Buffer.concat([nonce, ct, cipher.getAuthTag()]); // one output buffer, as any real format needs
    },
    open(sealed) {
      const decipher = createDecipheriv("aes-256-gcm", gcmKey, sealed.subarray(0, 12));
      decipher.setAuthTag(sealed.subarray(sealed.length - 16));
      const pt = decipher.update(sealed.subarray(12, sealed.length - 16));
      decipher.final();
      return pt;
    },
  };
}
// The strict limit: IVs from a pre-filled random pool (as our message ids are), no randomBytes call.
const ivPool = Buffer.allocUnsafe(12 * 4096);
let ivAt = ivPool.length;
const bare = bareGcm("bare AES-256-GCM (pooled random IV)", () => {
  if (ivAt === ivPool.length) {
    randomFillSync(ivPool);
    ivAt = 0;
  }
  ivAt += 12;
  return ivPool.subarray(ivAt - 12, ivAt);
});
const bareRandomBytes = bareGcm("bare AES-256-GCM (randomBytes(12) IV)", () => randomBytes(12));

function ours(name: string, rootKeys: RootKey[], cached: boolean, divisor?: number): Impl {
  const cache = cached ? createDataKeyCache({ maxAgeInMs: 5 * 60_000, maxMessages: 2 ** 32, maxBytes: 2 ** 50 }) : undefined;
  return {
    name,
    seal: (pt) => seal(pt, { rootKeys, context, cache }),
    open: (env) => open(env, { rootKeys, context, cache }),
    divisor,
  };
}

function aws(): Impl {
  const { encrypt, decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
  const raw = (keyName: string) =>
    new RawAesKeyringNode({
      keyName,
      keyNamespace: "bench",
      unencryptedMasterKey: randomBytes(32),
      wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
    });
  const keyring = new MultiKeyringNode({ generator: raw("k1"), children: [raw("k2")] });
  const suiteId = AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY;
  return {
    name: "AWS Encryption SDK 5.0.2 (2 raw AES keyrings)",
    seal: async (pt) => (await encrypt(keyring, pt, { suiteId, encryptionContext: context })).result,
    open: async (ct) => (await decrypt(keyring, ct)).plaintext,
  };
}

// --- measurement -----------------------------------------------------------------------------
interface Result {
  payload: string;
  op: "seal" | "open";
  impl: string;
  msgsPerSec: number;
  mbPerSec: number;
}

// A full GC before each timed block, so one row's garbage is not billed to the next.
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

async function time(fn: Fn, inputs: Uint8Array[], count: number): Promise<number> {
  gc();
  const start = performance.now();
  for (let i = 0; i < count; i++) await fn(inputs[i % inputs.length]!);
  return (performance.now() - start) / 1000;
}

/** Rounds go round-robin over the implementations (best per implementation), so a burst of
 *  load from elsewhere on the machine does not land on one row only. */
async function run(impls: Impl[], payload: string, size: number, count: number): Promise<Result[]> {
  const plaintexts = Array.from({ length: 8 }, () => randomBytes(size));
  const counts = impls.map((impl) => Math.max(1, Math.floor(count / (impl.divisor ?? 1))));
  const sealed: Uint8Array[][] = [];
  for (const [i, impl] of impls.entries()) {
    sealed.push(await Promise.all(Array.from({ length: Math.min(counts[i]!, 64) }, (_, j) => impl.seal(plaintexts[j % plaintexts.length]!))));
    for (let j = 0; j < Math.max(5, counts[i]! / 10); j++) await impl.open(sealed[i]![j % sealed[i]!.length]!); // warm-up
  }
  const results: Result[] = [];
  for (const op of ["seal", "open"] as const) {
    const best = impls.map(() => Infinity);
    for (let round = 0; round < rounds; round++) {
      for (const [i, impl] of impls.entries()) {
        const seconds = await time(op === "seal" ? impl.seal : impl.open, op === "seal" ? plaintexts : sealed[i]!, counts[i]!);
        best[i] = Math.min(best[i]!, seconds);
      }
    }
    for (const [i, impl] of impls.entries()) {
      results.push({ payload, op, impl: impl.name, msgsPerSec: counts[i]! / best[i]!, mbPerSec: (counts[i]! * size) / best[i]! / 1e6 });
    }
  }
  return results;
}

function table(results: Result[], bareName: string, awsName: string): string {
  const rows = [["payload", "op", "implementation", "msgs/s", "MB/s", "× bare GCM", "× AWS SDK"]];
  for (const r of results) {
    const ref = (impl: string) => results.find((x) => x.payload === r.payload && x.op === r.op && x.impl === impl)!.msgsPerSec;
    rows.push([
      r.payload,
      r.op,
      r.impl,
      r.msgsPerSec.toFixed(0),
      r.mbPerSec.toFixed(1),
      (r.msgsPerSec / ref(bareName)).toFixed(2),
      (r.msgsPerSec / ref(awsName)).toFixed(2),
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const line = (row: string[]) => `| ${row.map((cell, i) => (i >= 3 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join(" | ")} |`;
  return [line(rows[0]!), `|${widths.map((w, i) => (i >= 3 ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|`, ...rows.slice(1).map(line)].join("\n");
}

function streamRss(bytes: number, roundtrip: boolean): { peakMiB: number; baselineMiB: number; seconds: number } {
  const child = buildChild(root);
  try {
    const args = [child, String(bytes), ...(roundtrip ? ["--roundtrip"] : [])];
    return JSON.parse(execFileSync(process.execPath, args, { encoding: "utf8" })) as { peakMiB: number; baselineMiB: number; seconds: number };
  } finally {
    rmSync(join(child, "../../.."), { recursive: true, force: true });
  }
}

// --- main ------------------------------------------------------------------------------------
const kw = [await LocalRootKey.generate({ algorithm: "A256KW" }), await LocalRootKey.generate({ algorithm: "A256KW" })];
const rsa = [
  await LocalRootKey.generate({ algorithm: "RSA-OAEP-256", modulusLength: 2048 }),
  await LocalRootKey.generate({ algorithm: "RSA-OAEP-256", modulusLength: 2048 }),
];
const awsImpl = aws();
const impls = [
  bare,
  bareRandomBytes,
  ours("ours, fresh data key, 2×A256KW", kw, false),
  ours("ours, cached data key, 2×A256KW", kw, true),
  ours("ours, fresh data key, 2×RSA-OAEP-256 (2048)", rsa, false, 10),
  awsImpl,
];

console.log(`customer-key/envelope benchmark (${quick ? "quick" : "full"}; node ${process.version}; best of ${rounds} round-robin rounds; one message at a time)`);
const small = quick ? 1_000 : 10_000;
const large = quick ? 10 : 100;
const results = [...(await run(impls, "1 KiB", 1024, small)), ...(await run(impls, "1 MiB", 1024 * 1024, large))];
console.log(`\n${small} × 1 KiB and ${large} × 1 MiB (RSA row: a tenth as many messages)\n`);
console.log(table(results, bare.name, awsImpl.name));

const streamBytes = quick ? 64 * 1024 ** 2 : 1024 ** 3;
const sealOnly = streamRss(streamBytes, false);
const both = streamRss(streamBytes, true);
const label = quick ? "64 MiB" : "1 GiB";
console.log(`\nStreamed ${label} (separate plain-node process, peak RSS = VmHWM):`);
console.log(`  sealStream → discard:               peak ${sealOnly.peakMiB.toFixed(1)} MiB (baseline ${sealOnly.baselineMiB.toFixed(1)} MiB), ${(streamBytes / sealOnly.seconds / 1e6).toFixed(0)} MB/s`);
console.log(`  sealStream → openStream → discard:  peak ${both.peakMiB.toFixed(1)} MiB (baseline ${both.baselineMiB.toFixed(1)} MiB), ${(streamBytes / both.seconds / 1e6).toFixed(0)} MB/s`);

const get = (payload: string, op: string, impl: string) => results.find((r) => r.payload === payload && r.op === op && r.impl === impl)!.msgsPerSec;
const cachedSmall = get("1 KiB", "seal", impls[3]!.name);
const checks: [string, boolean][] = [
  ["1 KiB seal (cached) ≥ 0.5× bare GCM", cachedSmall >= 0.5 * get("1 KiB", "seal", bare.name)],
  ["1 KiB seal (cached) ≥ 10× AWS SDK", cachedSmall >= 10 * get("1 KiB", "seal", awsImpl.name)],
  ["1 MiB seal (fresh) ≥ 0.85× bare GCM", get("1 MiB", "seal", impls[2]!.name) >= 0.85 * get("1 MiB", "seal", bare.name)],
  ["1 MiB seal (cached) ≥ 0.85× bare GCM", get("1 MiB", "seal", impls[3]!.name) >= 0.85 * get("1 MiB", "seal", bare.name)],
  [`streamed ${label} seal < 100 MiB peak RSS`, sealOnly.peakMiB < 100],
];
console.log("\nTargets:");
for (const [name, ok] of checks) console.log(`  ${ok ? "PASS" : "MISS"}  ${name}`);
