/**
 * The envelope core on its own: two local root keys, seal, open with either key, and rewrap to a
 * new pair of keys without touching the body. No Azure, no emulator.
 *
 *   node --import tsx examples/envelope.ts
 */
import { runIfMain } from "./run-example.js";
import { inspect, LocalRootKey, open, rewrap, seal } from "../src/envelope/index.js";

export async function main({ log = console.log }: { log?: (line: string) => void } = {}): Promise<{ ok: boolean }> {
  const [primary, secondary] = await Promise.all([
    LocalRootKey.generate({ algorithm: "RSA-OAEP-256", id: "local:primary", modulusLength: 2048 }),
    LocalRootKey.generate({ algorithm: "RSA-OAEP-256", id: "local:secondary", modulusLength: 2048 }),
  ]);
  const plaintext = new TextEncoder().encode("Quarterly figures: confidential.");
  const context = { tenant: "contoso", purpose: "example" };

  const envelope = await seal(plaintext, { rootKeys: [primary, secondary], context });
  const header = inspect(envelope);
  log(`Sealed ${plaintext.length} bytes into ${envelope.length}; data key wrapped by ${header.wrappedKeys.map((w) => w.keyId).join(" and ")}.`);

  // Either root key alone opens it: losing one vault does not lose the data.
  const bySecondary = await open(envelope, { rootKeys: [secondary], context });
  log(`Opened with the secondary key only: "${new TextDecoder().decode(bySecondary)}"`);

  const [next1, next2] = await Promise.all([
    LocalRootKey.generate({ algorithm: "RSA-OAEP-256", id: "local:next-primary", modulusLength: 2048 }),
    LocalRootKey.generate({ algorithm: "A256KW", id: "local:next-secondary" }),
  ]);
  const rewrapped = await rewrap(envelope, { unwrapWith: [primary], wrapWith: [next1, next2], context });
  log(`Rewrapped to ${inspect(rewrapped).wrappedKeys.map((w) => w.keyId).join(" and ")}; the body is unchanged.`);
  const reopened = await open(rewrapped, { rootKeys: [next2], context });
  const ok = Buffer.from(reopened).equals(Buffer.from(plaintext)) && Buffer.from(bySecondary).equals(Buffer.from(plaintext));
  log(ok ? "Round trip OK." : "Round trip FAILED.");
  return { ok };
}

runIfMain(import.meta.url, () => main());
