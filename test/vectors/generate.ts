/**
 * Generates test/vectors/envelope-v1.json: fixed envelopes that test/envelope/vectors.test.ts
 * must keep opening, so format drift cannot go unnoticed. Run by hand, once per format version:
 *
 *   npx tsx test/vectors/generate.ts
 *
 * The root keys are throwaway test keys; their private parts are in the file on purpose.
 */
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { inspect, LocalRootKey, rewrap, seal, sealStream, type EncryptionContext } from "../../src/envelope/index.js";

const vault = "https://ck-vectors.vault.azure.net/keys";
const rsa = (name: string) => LocalRootKey.generate({ id: `${vault}/${name}`, algorithm: "RSA-OAEP-256", modulusLength: 2048 });
const kw = (name: string) => LocalRootKey.generate({ id: `local:vectors/${name}`, algorithm: "A256KW" });

interface Vector {
  name: string;
  description: string;
  rootKeys: ReturnType<LocalRootKey["toJwk"]>[];
  context: EncryptionContext;
  frameLength: number;
  plaintext: string;
  envelope: string;
  expected: { messageId: string; commitment: string; frameCount: number; keyIds: string[] };
}

function vector(name: string, description: string, keys: LocalRootKey[], context: EncryptionContext, plaintext: Buffer, envelope: Uint8Array): Vector {
  const h = inspect(envelope);
  return {
    name,
    description,
    rootKeys: keys.map((k) => k.toJwk({ includePrivate: true })),
    context,
    frameLength: h.frameLength,
    plaintext: plaintext.toString("base64"),
    envelope: Buffer.from(envelope).toString("base64"),
    expected: {
      messageId: Buffer.from(h.messageId).toString("hex"),
      commitment: Buffer.from(h.commitment).toString("hex"),
      frameCount: h.frameCount,
      keyIds: h.wrappedKeys.map((w) => w.keyId),
    },
  };
}

async function streamed(keys: LocalRootKey[], context: EncryptionContext, frameLength: number, chunks: Buffer[]): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline(Readable.from(chunks), sealStream({ rootKeys: keys, context, frameLength }), new Writable({ write: (c: Buffer, _e, cb) => (out.push(c), cb()) }));
  return Buffer.concat(out);
}

const vectors: Vector[] = [];
{
  const keys = [await rsa("root-a"), await rsa("root-b")];
  const context = { tenant: "contoso.onmicrosoft.com", purpose: "mailbox" };
  const plaintext = Buffer.from("Customer Key envelope test vector: two RSA-OAEP-256 root keys.");
  vectors.push(vector("rsa-oaep-256-x2", "One frame, two RSA-OAEP-256 (2048-bit) root keys with Key Vault style ids, a context.", keys, context, plaintext, await seal(plaintext, { rootKeys: keys, context })));
}
{
  const keys = [await kw("kek-a"), await kw("kek-b")];
  const context = { scope: "ünïcödé ✓", "a-first": "" };
  const plaintext = randomBytes(300);
  vectors.push(vector("a256kw-x2", "One frame, two A256KW root keys, a context with non-ASCII and empty values.", keys, context, plaintext, await seal(plaintext, { rootKeys: keys, context })));
}
{
  const keys = [await kw("stream-a"), await kw("stream-b")];
  const plaintext = randomBytes(300);
  const envelope = await streamed(keys, { stream: "yes" }, 64, [plaintext.subarray(0, 50), plaintext.subarray(50, 150), plaintext.subarray(150)]);
  vectors.push(vector("streamed-multi-frame", "sealStream output, frameLength 64: four regular frames and a final frame of 44 bytes.", keys, { stream: "yes" }, plaintext, envelope));
}
{
  const keys = [await kw("empty-a"), await rsa("empty-b")];
  const plaintext = Buffer.alloc(0);
  vectors.push(vector("empty-plaintext", "Empty plaintext (a single empty final frame), one A256KW and one RSA-OAEP-256 key, no context.", keys, {}, plaintext, await seal(plaintext, { rootKeys: keys })));
}
{
  const old = [await kw("roll-a"), await rsa("roll-b")];
  const plaintext = Buffer.from("rewrapped to new key versions; body bytes unchanged");
  const sealed = await seal(plaintext, { rootKeys: old, context: { roll: "1" } });
  const rotated = [(await old[0]!.rotate()).currentVersionOnly(), (await old[1]!.rotate()).currentVersionOnly()];
  const rolled = await rewrap(sealed, { unwrapWith: old, wrapWith: rotated });
  vectors.push(vector("rewrapped-new-versions", "Sealed under v1 of two keys, then rewrapped to v2 of both; only v2 keys are included.", rotated, { roll: "1" }, plaintext, rolled));
}

const file = fileURLToPath(new URL("./envelope-v1.json", import.meta.url));
writeFileSync(file, `${JSON.stringify({ format: "customer-key envelope v1 (docs/envelope-format.md)", vectors }, null, 2)}\n`);
console.log(`wrote ${vectors.length} vectors to ${file}`);
