/** The implementations the envelope benchmark compares, each built from its id alone. */
import {
  AlgorithmSuiteIdentifier,
  buildClient,
  CommitmentPolicy,
  MultiKeyringNode,
  RawAesKeyringNode,
  RawAesWrappingSuiteIdentifier,
} from "@aws-crypto/client-node";
import { createCipheriv, createDecipheriv, randomBytes, randomFillSync } from "node:crypto";
import { createDataKeyCache, LocalRootKey, open, seal, type RootKey } from "../../src/envelope/index.js";
import { createFloor } from "./floor.js";

export type Fn = (input: Uint8Array) => Uint8Array | Promise<Uint8Array>;
export interface Impl {
  seal: Fn;
  open: Fn;
}

export interface ImplSpec {
  id: string;
  name: string;
  /** Divide the 1 KiB message count, for rows whose per-message key work would make a block of
   *  100,000 take minutes. Their blocks still hold many garbage collections. */
  divisor?: number;
  /** Timed for seal only. */
  sealOnly?: boolean;
}

export const IMPLS = [
  { id: "bare", name: "bare AES-256-GCM (pooled random IV)" },
  { id: "bare-random-bytes", name: "bare AES-256-GCM (randomBytes(12) IV)" },
  { id: "ours-fresh", name: "ours, fresh data key, 2×A256KW", divisor: 4 },
  { id: "ours-cached", name: "ours, cached data key, 2×A256KW" },
  { id: "v1-floor", name: "format v1 floor, cached key (see floor.ts)", sealOnly: true },
  { id: "ours-fresh-rsa", name: "ours, fresh data key, 2×RSA-OAEP-256 (2048)", divisor: 10 },
  { id: "aws", name: "AWS Encryption SDK 5.0.2 (2 raw AES keyrings)", divisor: 10 },
] as const satisfies readonly ImplSpec[];
export type ImplId = (typeof IMPLS)[number]["id"];

export function spec(id: ImplId): ImplSpec {
  return IMPLS.find((s) => s.id === id)!;
}

const context = { purpose: "bench", tenant: "contoso" };

function bareGcm(iv: () => Uint8Array): Impl {
  const key = randomBytes(32);
  return {
    seal(pt) {
      const nonce = iv();
      const cipher = createCipheriv("aes-256-gcm", key, nonce);
      const ct = cipher.update(pt);
      cipher.final();
      return Buffer.concat([nonce, ct, cipher.getAuthTag()]); // one output buffer, as any real format needs
    },
    open(sealed) {
      const decipher = createDecipheriv("aes-256-gcm", key, sealed.subarray(0, 12));
      decipher.setAuthTag(sealed.subarray(sealed.length - 16));
      const pt = decipher.update(sealed.subarray(12, sealed.length - 16));
      decipher.final();
      return pt;
    },
  };
}

/** The strict limit: IVs from a pre-filled random pool (as our message ids are), no randomBytes call. */
function pooledIv(): () => Uint8Array {
  const pool = Buffer.allocUnsafe(12 * 4096);
  let at = pool.length;
  return () => {
    if (at === pool.length) {
      randomFillSync(pool);
      at = 0;
    }
    at += 12;
    return pool.subarray(at - 12, at);
  };
}

function ours(rootKeys: RootKey[], cached: boolean): Impl {
  const cache = cached ? createDataKeyCache({ maxAgeInMs: 5 * 60_000, maxMessages: 2 ** 32, maxBytes: 2 ** 50 }) : undefined;
  return {
    seal: (pt) => seal(pt, { rootKeys, context, cache }),
    open: (env) => open(env, { rootKeys, context, cache }),
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
    seal: async (pt) => (await encrypt(keyring, pt, { suiteId, encryptionContext: context })).result,
    open: async (ct) => (await decrypt(keyring, ct)).plaintext,
  };
}

const twoKeys = async (algorithm: "A256KW" | "RSA-OAEP-256") =>
  Promise.all([0, 1].map(() => LocalRootKey.generate(algorithm === "A256KW" ? { algorithm } : { algorithm, modulusLength: 2048 })));

export async function createImpl(id: ImplId): Promise<Impl> {
  switch (id) {
    case "bare":
      return bareGcm(pooledIv());
    case "bare-random-bytes":
      return bareGcm(() => randomBytes(12));
    case "ours-fresh":
      return ours(await twoKeys("A256KW"), false);
    case "ours-cached":
      return ours(await twoKeys("A256KW"), true);
    case "v1-floor": {
      const rootKeys = await twoKeys("A256KW");
      return { seal: await createFloor(rootKeys, context), open: (env) => open(env, { rootKeys, context }) };
    }
    case "ours-fresh-rsa":
      return ours(await twoKeys("RSA-OAEP-256"), false);
    case "aws":
      return aws();
  }
}
