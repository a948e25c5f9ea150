/**
 * A root key held in process with node:crypto: RSA-OAEP-256 (OAEP with SHA-256 and MGF1-SHA-256,
 * as Key Vault's RSA-OAEP-256) or A256KW (RFC 3394 AES key wrap). For tests, local development
 * and the emulator. Versioned like a Key Vault key: `id` is versionless, wrapped entries carry
 * `${id}/${version}`, and `rotate()` adds a version while keeping the old ones for unwrapping.
 */
import { constants, createCipheriv, createDecipheriv, createHash, createPrivateKey, createPublicKey, createSecretKey, generateKeyPair, privateDecrypt, publicEncrypt, randomBytes, type KeyObject } from "node:crypto";
import { RootKeyError, throwIfAborted } from "./errors.js";
import type { RootKey, RootKeyCallOptions, WrappedKey } from "./types.js";

/** Wrapping algorithms of a LocalRootKey: RSA-OAEP-256 (as Key Vault's) or A256KW (RFC 3394). */
export type LocalRootKeyAlgorithm = "RSA-OAEP-256" | "A256KW";

/** Options of `LocalRootKey.generate`. */
export interface LocalRootKeyGenerateOptions {
  /** Versionless id. Default `local:<16 random hex>`. */
  id?: string;
  /** Wrapping algorithm; required. */
  algorithm: LocalRootKeyAlgorithm;
  /** RSA modulus length in bits (2048, 3072 or 4096). Default 3072. */
  modulusLength?: number;
}

/** The JWK members LocalRootKey reads and writes. */
export interface LocalRootKeyJwk {
  /** Key type: `RSA` (RSA-OAEP-256) or `oct` (A256KW). */
  kty: "RSA" | "oct";
  /** Algorithm: `RSA-OAEP-256` or `A256KW` when present. */
  alg?: string;
  /** Key id, usually `<id>/<version>`. */
  kid?: string;
  /** Public key use, e.g. `enc`. */
  use?: string;
  /** RSA modulus, base64url. */
  n?: string;
  /** RSA public exponent, base64url. */
  e?: string;
  /** RSA private exponent, base64url (secret). */
  d?: string;
  /** RSA first prime factor, base64url (secret). */
  p?: string;
  /** RSA second prime factor, base64url (secret). */
  q?: string;
  /** RSA first CRT exponent, base64url (secret). */
  dp?: string;
  /** RSA second CRT exponent, base64url (secret). */
  dq?: string;
  /** RSA CRT coefficient, base64url (secret). */
  qi?: string;
  /** AES key, 32 bytes, base64url (secret). */
  k?: string;
}

interface Version {
  readonly version: string;
  readonly algorithm: LocalRootKeyAlgorithm;
  readonly publicKey?: KeyObject; // RSA
  readonly privateKey?: KeyObject; // RSA, absent for public-only keys
  readonly secret?: KeyObject; // A256KW
}

const KW_IV = Buffer.from("a6a6a6a6a6a6a6a6", "hex"); // RFC 3394 default IV
const VERSIONED_KID = /^(.+)\/([0-9a-f]{32})$/;

function invalidJwk(why: string): RootKeyError {
  // Never echo the JWK: it may hold private members.
  return new RootKeyError("ERR_ROOT_KEY_INVALID_JWK", `Invalid root key JWK: ${why}.`);
}

/** RFC 7638 thumbprint (SHA-256), first 16 bytes in hex: a stable version for imported keys. */
function thumbprintVersion(v: Version): string {
  const jwk = (v.publicKey ?? v.secret)!.export({ format: "jwk" });
  const canonical = v.algorithm === "A256KW" ? { k: jwk.k, kty: "oct" } : { e: jwk.e, kty: "RSA", n: jwk.n };
  return createHash("sha256").update(JSON.stringify(canonical)).digest("hex").slice(0, 32);
}

function checkId(id: string): string {
  if (typeof id !== "string" || id.length === 0 || id.endsWith("/")) throw new RootKeyError("ERR_ROOT_KEY_INVALID", "A root key id must be a non-empty string not ending in '/'.");
  return id;
}

function versionFromJwk(jwk: LocalRootKeyJwk): Omit<Version, "version"> {
  if (typeof jwk !== "object" || jwk === null) throw invalidJwk("not an object");
  if (jwk.kty === "oct") {
    if (jwk.alg !== undefined && jwk.alg !== "A256KW") throw invalidJwk(`alg must be A256KW for an oct key`);
    const k = typeof jwk.k === "string" ? Buffer.from(jwk.k, "base64url") : undefined;
    if (k?.length !== 32) throw invalidJwk("an A256KW key needs a 32-byte k");
    const secret = createSecretKey(k);
    k.fill(0);
    return { algorithm: "A256KW", secret };
  }
  if (jwk.kty !== "RSA") throw invalidJwk('kty must be "RSA" or "oct"');
  if (jwk.alg !== undefined && jwk.alg !== "RSA-OAEP-256") throw invalidJwk("alg must be RSA-OAEP-256 for an RSA key");
  const members = { kty: "RSA", n: jwk.n, e: jwk.e, d: jwk.d, p: jwk.p, q: jwk.q, dp: jwk.dp, dq: jwk.dq, qi: jwk.qi };
  try {
    const privateKey = jwk.d !== undefined ? createPrivateKey({ key: members, format: "jwk" }) : undefined;
    const publicKey = privateKey ? createPublicKey(privateKey) : createPublicKey({ key: { kty: "RSA", n: jwk.n, e: jwk.e }, format: "jwk" });
    if ((publicKey.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) throw invalidJwk("RSA keys must have at least 2048 bits");
    if (privateKey) {
      // OpenSSL does not check that imported CRT members agree; a round trip does.
      const probe = randomBytes(32);
      const back = privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" }, publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" }, probe));
      if (!back.equals(probe)) throw invalidJwk("the private members do not match the public key");
    }
    return privateKey ? { algorithm: "RSA-OAEP-256", publicKey, privateKey } : { algorithm: "RSA-OAEP-256", publicKey };
  } catch (error) {
    if (error instanceof RootKeyError) throw error;
    throw invalidJwk("the RSA members do not form a valid key"); // no cause: it could quote members
  }
}

/**
 * A root key held in process (node:crypto), versioned like a Key Vault key: for tests, local
 * development and the emulator. Create with `generate` or `fromJwk`.
 */
export class LocalRootKey implements RootKey {
  /** Versionless id; wrapped entries carry `${id}/${version}`. */
  readonly id: string;
  /** Wrapping algorithm of every version. */
  readonly algorithm: LocalRootKeyAlgorithm;
  readonly #versions: ReadonlyMap<string, Version>;
  readonly #current: Version;

  private constructor(id: string, versions: readonly Version[]) {
    this.id = checkId(id);
    this.#current = versions[versions.length - 1]!;
    this.algorithm = this.#current.algorithm;
    this.#versions = new Map(versions.map((v) => [v.version, v]));
  }

  /** Generates a new key (one version). */
  static async generate(options: LocalRootKeyGenerateOptions): Promise<LocalRootKey> {
    const id = options?.id ?? `local:${randomBytes(8).toString("hex")}`;
    return new LocalRootKey(id, [await newVersion(options?.algorithm, options?.modulusLength)]);
  }

  /** Imports a JWK. A kid of the form `<id>/<32 hex>` gives id and version; otherwise the version is the thumbprint. */
  static fromJwk(jwk: LocalRootKeyJwk, options?: { id?: string }): LocalRootKey {
    const partial = versionFromJwk(jwk);
    const match = typeof jwk.kid === "string" ? VERSIONED_KID.exec(jwk.kid) : null;
    const version = match?.[2] ?? thumbprintVersion({ ...partial, version: "" });
    const id = options?.id ?? match?.[1] ?? jwk.kid ?? `local:${randomBytes(8).toString("hex")}`;
    return new LocalRootKey(id, [{ ...partial, version }]);
  }

  /** Current version (32 hex). */
  get version(): string {
    return this.#current.version;
  }

  /** Full id of the current version: `${id}/${version}`. */
  get keyId(): string {
    return `${this.id}/${this.#current.version}`;
  }

  /** Every version this key can unwrap, oldest first. */
  get versions(): string[] {
    return [...this.#versions.keys()];
  }

  /** A key with a new current version (same id and algorithm) that still unwraps the old ones. */
  async rotate(options?: { modulusLength?: number }): Promise<LocalRootKey> {
    const modulusLength = options?.modulusLength ?? this.#current.publicKey?.asymmetricKeyDetails?.modulusLength;
    return new LocalRootKey(this.id, [...this.#versions.values(), await newVersion(this.algorithm, modulusLength)]);
  }

  /** This key restricted to its current version. */
  currentVersionOnly(): LocalRootKey {
    return new LocalRootKey(this.id, [this.#current]);
  }

  /** Exports the current version. `includePrivate: false` is only possible for RSA keys. */
  toJwk(options?: { includePrivate?: boolean }): LocalRootKeyJwk {
    const v = this.#current;
    const meta = { alg: v.algorithm, kid: this.keyId, use: "enc" };
    if (v.secret) {
      if (!options?.includePrivate) throw new RootKeyError("ERR_ROOT_KEY_INVALID", "An A256KW key has no public part; pass includePrivate: true.");
      return { kty: "oct", k: v.secret.export({ format: "jwk" }).k!, ...meta };
    }
    const source = options?.includePrivate ? v.privateKey : v.publicKey;
    if (!source) throw new RootKeyError("ERR_ROOT_KEY_INVALID", "This key has no private part.");
    return { ...(source.export({ format: "jwk" }) as LocalRootKeyJwk), kty: "RSA", ...meta };
  }

  /** What JSON.stringify shows: id, algorithm and current version, never key material. */
  toJSON(): { id: string; algorithm: string; version: string } {
    return { id: this.id, algorithm: this.algorithm, version: this.version };
  }

  /** Wraps a 32-byte data key under the current version. */
  async wrapKey(dataKey: Uint8Array, options?: RootKeyCallOptions): Promise<WrappedKey> {
    throwIfAborted(options?.abortSignal);
    const v = this.#current;
    let encryptedKey: Buffer;
    if (v.secret) {
      if (!(dataKey instanceof Uint8Array) || dataKey.length < 16 || dataKey.length % 8 !== 0) {
        throw new RootKeyError("ERR_ROOT_KEY_INVALID", "A256KW wraps keys of 16 bytes or more, in multiples of 8.");
      }
      const cipher = createCipheriv("id-aes256-wrap", v.secret, KW_IV);
      encryptedKey = Buffer.concat([cipher.update(dataKey), cipher.final()]);
    } else {
      encryptedKey = publicEncrypt({ key: v.publicKey!, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" }, dataKey);
    }
    return { keyId: this.keyId, algorithm: v.algorithm, encryptedKey };
  }

  /** Unwraps an entry of any version of this key; resolves to the 32-byte data key. */
  async unwrapKey(wrapped: WrappedKey, options?: RootKeyCallOptions): Promise<Uint8Array> {
    throwIfAborted(options?.abortSignal);
    const keyId = wrapped?.keyId;
    const version = typeof keyId === "string" && keyId.startsWith(`${this.id}/`) ? this.#versions.get(keyId.slice(this.id.length + 1)) : undefined;
    if (!version) throw new RootKeyError("ERR_ROOT_KEY_VERSION_NOT_FOUND", `Root key "${this.id}" has no version for "${String(keyId)}".`);
    if (wrapped.algorithm !== version.algorithm) {
      throw new RootKeyError("ERR_ROOT_KEY_UNWRAP_FAILED", `Root key "${keyId}" uses ${version.algorithm}, not ${String(wrapped.algorithm)}.`);
    }
    try {
      if (version.secret) {
        const decipher = createDecipheriv("id-aes256-wrap", version.secret, KW_IV);
        return Buffer.concat([decipher.update(wrapped.encryptedKey), decipher.final()]);
      }
      if (!version.privateKey) throw new Error("public only");
      return privateDecrypt({ key: version.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" }, wrapped.encryptedKey);
    } catch {
      // No cause: nothing from inside the primitive is needed, and nothing may leak.
      throw new RootKeyError("ERR_ROOT_KEY_UNWRAP_FAILED", `Root key "${keyId}" could not unwrap the data key (wrong key, no private part, or corrupted entry).`);
    }
  }
}

async function newVersion(algorithm: LocalRootKeyAlgorithm | undefined, modulusLength: number | undefined): Promise<Version> {
  let partial: Omit<Version, "version">;
  if (algorithm === "A256KW") {
    partial = { algorithm, secret: createSecretKey(randomBytes(32)) };
  } else if (algorithm === "RSA-OAEP-256") {
    const bits = modulusLength ?? 3072;
    if (![2048, 3072, 4096].includes(bits)) throw new RootKeyError("ERR_ROOT_KEY_INVALID", "modulusLength must be 2048, 3072 or 4096.");
    const { publicKey, privateKey } = await new Promise<{ publicKey: KeyObject; privateKey: KeyObject }>((resolve, reject) =>
      generateKeyPair("rsa", { modulusLength: bits, publicExponent: 0x10001 }, (error, publicKey, privateKey) =>
        error ? reject(new RootKeyError("ERR_ROOT_KEY_INVALID", "RSA key generation failed.", { cause: error })) : resolve({ publicKey, privateKey }),
      ),
    );
    partial = { algorithm, publicKey, privateKey };
  } else {
    throw new RootKeyError("ERR_ROOT_KEY_INVALID", 'algorithm must be "RSA-OAEP-256" or "A256KW".');
  }
  return { ...partial, version: thumbprintVersion({ ...partial, version: "" }) };
}
