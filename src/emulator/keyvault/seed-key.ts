import type { EmulatorCore } from "../kernel/core.js";
import { kidOf } from "./shapes.js";
import { defaultKeyOps, generateKeyMaterial, type KeyTypeName } from "./key-material.js";
import type { KeyAttributesRecord, KeyVersionRecord } from "./model.js";
import { newVersionId } from "./routes/keys.js";
import { findVault, keysOf } from "./vault-lookup.js";

/** Options of `emulator.seed.key()`. The defaults make a key Customer Key accepts. */
export interface SeedKeyOptions {
  /** The vault: its name, or what `seed.vault()` returned. */
  vault: string | { name: string };
  /** The key name (1–127 letters, digits and hyphens). */
  name: string;
  /** Key type: `RSA-HSM` by default on a premium vault, `RSA` on a standard one; also `EC`, `EC-HSM`, `oct`, `oct-HSM`. */
  kty?: KeyTypeName;
  /** RSA modulus bits (2048 by default; 3072, 4096) or `oct` key bits (256 by default; 128, 192). */
  size?: number;
  /** EC curve: `P-256` (the default), `P-384`, `P-521` or `P-256K`. */
  curve?: "P-256" | "P-384" | "P-521" | "P-256K";
  /** Permitted operations; by default all six of the type (RSA: encrypt, decrypt, sign, verify, wrapKey, unwrapKey). */
  keyOps?: string[];
  /** Whether the key is enabled; true by default. */
  enabled?: boolean;
  /** Not-before time; none by default. */
  notBefore?: Date;
  /** Expiry; none by default (Customer Key keys must not expire). */
  expiresOn?: Date;
  /** Tags, name to value; none by default. */
  tags?: Record<string, string>;
}

/** A key made by `emulator.seed.key()`. */
export interface SeededKey {
  /** The key name. */
  name: string;
  /** The vault name. */
  vaultName: string;
  /** The versioned key id, `https://{vault}.vault.localhost:{port}/keys/{name}/{version}`, for `CryptographyClient`. */
  id: string;
  /** The version (32 hex characters). */
  version: string;
  /** The key type it was made with. */
  kty: KeyTypeName;
}

const NAME = /^[0-9a-zA-Z-]{1,127}$/;
const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

/**
 * Adds a key (or a new version of it) to a vault's state as `CreateKey` would, without a request.
 * Refuses (with an Error that says why) an unknown vault, a bad name, a soft-deleted name, an HSM
 * type on a standard vault and sizes Key Vault does not offer.
 */
export async function seedKey(core: EmulatorCore, options: SeedKeyOptions): Promise<SeededKey> {
  const vaultName = typeof options.vault === "string" ? options.vault : options.vault.name;
  const vault = findVault(core, vaultName);
  if (!vault) throw new Error(`No vault '${vaultName}' in the emulator: seed it first (emulator.seed.vault).`);
  if (!NAME.test(options.name)) throw new Error(`'${options.name}' is not a valid key name: 1-127 letters, digits and hyphens.`);
  const premium = vault.properties.sku.name === "premium";
  const kty = options.kty ?? (premium ? "RSA-HSM" : "RSA");
  if (kty.endsWith("-HSM") && !premium) throw new Error(`A ${kty} key needs a premium vault; '${vault.name}' is standard.`);
  const jwk = await generateKeyMaterial(kty, { size: options.size, curve: options.curve }).catch((error: unknown) => {
    throw new Error(error instanceof Error ? error.message : String(error));
  });
  const keys = keysOf(core, vault.name);
  const slot = options.name.toLowerCase();
  if (keys.deleted[slot]) throw new Error(`The key '${options.name}' is soft-deleted in '${vault.name}': recover or purge it first.`);
  const now = core.clock.nowSeconds();
  const attributes: KeyAttributesRecord = { enabled: options.enabled ?? true, created: now, updated: now, exportable: false };
  if (options.notBefore) attributes.nbf = seconds(options.notBefore);
  if (options.expiresOn) attributes.exp = seconds(options.expiresOn);
  const version: KeyVersionRecord = {
    version: newVersionId(),
    kty,
    keyOps: [...(options.keyOps ?? defaultKeyOps(kty))],
    privateJwk: jwk,
    attributes,
    ...(options.tags ? { tags: { ...options.tags } } : {}),
  };
  const record = (keys.keys[slot] ??= { name: options.name, versions: [] });
  record.versions.push(version);
  core.changed();
  return { name: record.name, vaultName: vault.name, id: kidOf(core.endpoints.vaultUrl(vault.name), record.name, version.version), version: version.version, kty };
}
