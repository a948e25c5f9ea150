import { hkdfSync, randomBytes } from "node:crypto";
import { inspect as utilInspect } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import {
  ENVELOPE_ERROR_CODES,
  EnvelopeError,
  inspect,
  LocalRootKey,
  open,
  openStream,
  rewrap,
  seal,
  type RootKey,
} from "../../src/envelope/index.js";
import { isCustomerKeyError } from "../../src/errors.js";
import { a256kw, flipBit, forbidden, rsa2048, SpyRootKey, through } from "./helpers.js";

let rsa: LocalRootKey;
let kw: LocalRootKey;
let spies: SpyRootKey[];
let secrets: Buffer[];

/** Every rendering of an error we can think of: message, JSON, util.inspect, causes, attempts. */
function render(error: unknown, depth = 0): string {
  if (depth > 6 || error === null || typeof error !== "object") return String(error);
  const e = error as Error & { cause?: unknown; errors?: unknown[]; attempts?: { error: unknown }[] };
  const parts = [e.message, e.stack ?? "", JSON.stringify(e, Object.getOwnPropertyNames(e)), utilInspect(e, { depth: 10, showHidden: true })];
  if (e.cause !== undefined) parts.push(render(e.cause, depth + 1));
  for (const inner of e.errors ?? []) parts.push(render(inner, depth + 1));
  for (const attempt of e.attempts ?? []) parts.push(render(attempt.error, depth + 1));
  return parts.join("\n");
}

function encodings(bytes: Buffer): string[] {
  return [bytes.toString("hex"), bytes.toString("hex").toUpperCase(), bytes.toString("base64"), bytes.toString("base64url"), [...bytes].join(",")];
}

beforeAll(async () => {
  [rsa, kw] = await Promise.all([rsa2048(), a256kw()]);
  spies = [new SpyRootKey(rsa), new SpyRootKey(kw)];
  const rsaJwk = rsa.toJwk({ includePrivate: true });
  secrets = [
    ...["d", "p", "q", "dp", "dq", "qi"].map((m) => Buffer.from(rsaJwk[m as keyof typeof rsaJwk]!, "base64url")),
    Buffer.from(kw.toJwk({ includePrivate: true }).k!, "base64url"),
  ];
});

describe("no key bytes in errors", () => {
  it("holds across every failure path", async () => {
    const errors: unknown[] = [];
    const capture = async (p: Promise<unknown>) => {
      try {
        await p;
      } catch (error) {
        errors.push(error);
        return;
      }
      throw new Error("expected a failure");
    };
    const envelope = await seal(randomBytes(3000), { rootKeys: spies, context: { a: "b" }, frameLength: 1024 });
    const other = await seal(randomBytes(10), { rootKeys: spies });
    const h = inspect(envelope);

    for (const bit of [10 * 8, (h.headerLength - 1) * 8, h.bodyOffset * 8 + 20, (envelope.length - 1) * 8, 0, 24]) {
      await capture(open(flipBit(envelope, bit), { rootKeys: spies }));
    }
    const swapped = Buffer.from(envelope);
    swapped.set(inspect(other).wrappedKeys[1]!.encryptedKey, swapped.indexOf(Buffer.from(h.wrappedKeys[1]!.encryptedKey)));
    await capture(open(swapped, { rootKeys: [spies[1]!] }));
    await capture(open(swapped, { rootKeys: spies }));
    await capture(open(envelope, { rootKeys: spies, context: { a: "c" } }));
    await capture(rewrap(flipBit(envelope, (h.headerLength - 1) * 8), { unwrapWith: spies, wrapWith: spies }));
    await capture(through(openStream({ rootKeys: spies }), [flipBit(envelope, (envelope.length - 1) * 8)]));
    await capture(through(openStream({ rootKeys: spies }), [envelope.subarray(0, envelope.length - 5)]));

    const failing = (error: () => unknown): RootKey => {
      const s = new SpyRootKey(kw);
      s.failUnwrap = error;
      return s;
    };
    await capture(open(envelope, { rootKeys: [failing(() => forbidden())] }));
    await capture(open(envelope, { rootKeys: [failing(() => new Error("boom")), spies[0]!].slice(0, 1) }));
    // Unwrap with the wrong key material under the right id: RSA padding / AES-KW integrity failures.
    const impostorRsa = LocalRootKey.fromJwk({ ...(await rsa2048()).toJwk({ includePrivate: true }), kid: rsa.keyId });
    const impostorKw = LocalRootKey.fromJwk({ ...(await a256kw()).toJwk({ includePrivate: true }), kid: kw.keyId });
    await capture(open(envelope, { rootKeys: [impostorRsa, impostorKw] }));
    // An impostor returning a valid-looking key: commitment mismatch.
    const liar: RootKey = { id: kw.id, wrapKey: kw.wrapKey.bind(kw), unwrapKey: async () => randomBytes(32) };
    await capture(open(envelope, { rootKeys: [liar] }));
    // JWK import failures must not quote the JWK.
    const rsaJwk = rsa.toJwk({ includePrivate: true });
    for (const bad of [{ ...rsaJwk, n: "AAAA" }, { ...rsaJwk, alg: "RS256" }, { ...rsaJwk, e: "AQ" }, { kty: "oct" as const, k: kw.toJwk({ includePrivate: true }).k!.slice(0, 20) }]) {
      await capture(Promise.resolve().then(() => LocalRootKey.fromJwk(bad)));
    }

    const dataKeys = spies.flatMap((s) => s.seenDataKeys.map((k) => Buffer.from(k)));
    expect(dataKeys.length).toBeGreaterThan(2);
    const contentKeys = [envelope, other].map((e) => {
      const info = Buffer.concat([Buffer.from("customer-key/envelope/v1 message"), Buffer.from([0, 1]), inspect(e).messageId]);
      return dataKeys.map((k) => Buffer.from(hkdfSync("sha512", k, Buffer.from("customer-key/envelope/v1"), info, 64)).subarray(0, 32));
    });
    const needles = [...dataKeys, ...contentKeys.flat(), ...secrets].flatMap(encodings);
    expect(errors.length).toBeGreaterThan(15);
    for (const error of errors) {
      expect(isCustomerKeyError(error)).toBe(true);
      expect(ENVELOPE_ERROR_CODES).toContain((error as EnvelopeError).code);
      const text = render(error);
      for (const needle of needles) expect(text.includes(needle), `${(error as Error).message} leaks key bytes`).toBe(false);
    }
  });

  it("LocalRootKey does not render its key material", () => {
    const text = `${JSON.stringify(kw)} ${utilInspect(kw, { showHidden: true, depth: 10 })} ${JSON.stringify(rsa)} ${utilInspect(rsa, { depth: 10 })}`;
    for (const needle of secrets.flatMap(encodings)) expect(text.includes(needle)).toBe(false);
  });
});
