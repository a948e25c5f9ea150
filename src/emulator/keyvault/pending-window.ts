import type { EmulatorCore } from "../kernel/core.js";
import type { VaultKeysState } from "./model.js";

/**
 * How long Key Vault's own background work on a key name takes. A real vault answers a delete,
 * recover or purge at once and finishes it seconds later; the `@azure/keyvault-keys` pollers
 * (`beginDeleteKey`, `beginRecoverDeletedKey`, default 2 s between polls) exist for that window.
 */
export interface KeyVaultBehaviour {
  /**
   * Emulator-clock milliseconds a delete, recover or purge stays in progress (2000 by default; 0
   * completes them at once). Inside the window: after a delete `GET /deletedkeys/{name}` is 404
   * and re-creating the name is 409 `ObjectIsBeingDeleted`; after a recover the key is not yet
   * readable (404); after a purge a restore of the name is 409 `Conflict`. Recorded runs show
   * these windows at up to 5 s.
   */
  pendingWindowMs: number;
}

const DEFAULT_WINDOW_MS = 2000;
const behaviours = new WeakMap<EmulatorCore, KeyVaultBehaviour>();

/** This emulator's Key Vault timing (not persisted: a restarted emulator is back to the default). */
export function keyVaultBehaviour(core: EmulatorCore): KeyVaultBehaviour {
  let behaviour = behaviours.get(core);
  if (!behaviour) behaviours.set(core, (behaviour = { pendingWindowMs: DEFAULT_WINDOW_MS }));
  return behaviour;
}

/** Changes the Key Vault timing; only the fields given change. */
export function setKeyVaultBehaviour(core: EmulatorCore, behaviour: Partial<KeyVaultBehaviour>): void {
  const ms = behaviour.pendingWindowMs;
  if (ms !== undefined && !(Number.isFinite(ms) && ms >= 0)) throw new RangeError("pendingWindowMs must be a number of milliseconds, 0 or more.");
  Object.assign(keyVaultBehaviour(core), behaviour);
}

/** What the service is still doing to a key name. */
export type PendingKind = "deleting" | "recovering" | "purging";

/** Starts a window on a key name (replacing any earlier one); a zero window records nothing. */
export function beginPending(core: EmulatorCore, keys: VaultKeysState, name: string, kind: PendingKind): void {
  const window = keyVaultBehaviour(core).pendingWindowMs;
  const slot = name.toLowerCase();
  if (window <= 0) {
    if (keys.pending) delete keys.pending[slot];
    return;
  }
  (keys.pending ??= {})[slot] = { kind, until: core.clock.nowMs() + window };
}

/** The work still in progress on a name at `nowMs` (emulator clock), if any. */
export function pendingOn(keys: VaultKeysState, name: string, nowMs: number): PendingKind | undefined {
  const entry = keys.pending?.[name.toLowerCase()];
  return entry && entry.until > nowMs ? entry.kind : undefined;
}

/** Forgets the windows that have passed. */
export function sweepPending(core: EmulatorCore, keys: VaultKeysState, nowMs: number): void {
  if (!keys.pending) return;
  for (const [slot, entry] of Object.entries(keys.pending)) {
    if (entry.until <= nowMs) {
      delete keys.pending[slot];
      core.changed();
    }
  }
  if (Object.keys(keys.pending).length === 0) delete keys.pending;
}
