import { randomBytes } from "node:crypto";
import type { EmulatorCore } from "../kernel/core.js";
import { spErrors } from "./errors.js";
import { member, readKeyVaultInfo, unwrapTenantKey, wrapTenantKey, type KeyReference } from "./key-vault-info.js";
import { KEY_TYPES, sharePointState, type GeoRecord, type KeySlotName, type KeySlotRecord, type SharePointKeyStatusName, type SiteRecord } from "./model.js";

/**
 * The Customer Key life cycle of one geo: Unregistered → Registering → Registered, Registered →
 * Rolling → Registered, Recovering → Registering → Registered. Progress is read from the emulator
 * clock; an operation whose time has passed is completed on the next read.
 */

/** A status as SharePoint reports it (`SP.CustomerKeyStatusInfo` members, research §3.3). */
export interface KeyStatus {
  status: SharePointKeyStatusName;
  /** Percent of sites done, 0–100 (0–100 rather than 0–1 is inferred; research wire-shapes §4.6). */
  registrationProgress: number;
  primaryKeyVaultUri: string | null;
  secondaryKeyVaultUri: string | null;
  availabilityKeyVaultUri: string | null;
  recoveryEnabled: boolean;
}

/** Completes an operation whose time has passed. */
export function settle(core: EmulatorCore, geo: GeoRecord): void {
  const op = geo.operation;
  if (!op || core.clock.nowMs() < op.startedAtMs + op.durationMs) return;
  delete geo.operation;
  geo.status = "Registered";
  core.changed();
}

function fractionDone(core: EmulatorCore, geo: GeoRecord): number {
  const op = geo.operation;
  if (!op) return 1;
  if (op.durationMs <= 0) return 1;
  return Math.min(1, Math.max(0, (core.clock.nowMs() - op.startedAtMs) / op.durationMs));
}

const uriOf = (geo: GeoRecord, slot: KeySlotName) => geo.keys[slot]?.uri ?? null;

/** The geo's status, after settling what the clock completed. */
export function tenantStatus(core: EmulatorCore, geo: GeoRecord): KeyStatus {
  settle(core, geo);
  const progress = geo.status === "Registered" ? 100 : geo.status === "Unregistered" || geo.status === "Recovering" ? 0 : Math.round(fractionDone(core, geo) * 10_000) / 100;
  return {
    status: geo.status,
    registrationProgress: progress,
    primaryKeyVaultUri: uriOf(geo, "Primary"),
    secondaryKeyVaultUri: uriOf(geo, "Secondary"),
    availabilityKeyVaultUri: uriOf(geo, "Availability"),
    recoveryEnabled: geo.status === "Recovering",
  };
}

/**
 * One site's status. The sites that existed when the operation started are done one after the
 * other over its duration (site i of n at (i+1)/n); a site made later starts under the current keys.
 * Before a site's turn it reports the tenant's state (Registering/Rolling) and, in a roll, the key it
 * is still under.
 */
export function siteStatus(core: EmulatorCore, geo: GeoRecord, site: SiteRecord): KeyStatus {
  const tenant = tenantStatus(core, geo);
  if (geo.status === "Unregistered") throw spErrors.notRegistered();
  const op = geo.operation;
  const done: KeyStatus = { ...tenant, status: "Registered", registrationProgress: 100, recoveryEnabled: false };
  if (!op || geo.status === "Recovering") return geo.status === "Recovering" ? tenant : done;
  // Membership is recorded at the start (a site made in the same millisecond is not "earlier"); state files from before that use the creation time.
  const pending = op.siteIds ? geo.sites.filter((s) => op.siteIds!.includes(s.id)) : geo.sites.filter((s) => s.createdAtMs <= op.startedAtMs);
  const index = pending.indexOf(site);
  if (index < 0 || fractionDone(core, geo) >= (index + 1) / pending.length) return done;
  const waiting: KeyStatus = { ...tenant, registrationProgress: 0 };
  if (op.roll) {
    const key = `${op.roll.slot.toLowerCase()}KeyVaultUri` as "primaryKeyVaultUri" | "secondaryKeyVaultUri" | "availabilityKeyVaultUri";
    waiting[key] = op.roll.previousUri;
  }
  return waiting;
}

function begin(core: EmulatorCore, geo: GeoRecord, kind: "register" | "roll" | "recover", roll?: { slot: KeySlotName; previousUri: string | null }): void {
  const behaviour = sharePointState(core).behaviour;
  geo.operation = {
    kind,
    startedAtMs: core.clock.nowMs(),
    durationMs: kind === "roll" ? behaviour.rollDurationMs : behaviour.registrationDurationMs,
    ...(roll ? { roll } : {}),
    siteIds: geo.sites.map((s) => s.id),
  };
  geo.status = kind === "roll" ? "Rolling" : "Registering";
  core.changed();
  settle(core, geo);
}

/** Refuses an operation while another runs, in the service's words. */
function refuseWhileBusy(geo: GeoRecord): void {
  if (geo.status === "Registering") throw spErrors.registrationInProgress();
  if (geo.status === "Rolling") throw spErrors.rollInProgress();
}

/** Reads an `SP.CustomerKeyInfo`: Primary and Secondary required, in two different vaults; Availability optional. */
function readKeyInfo(core: EmulatorCore, keyInfo: Record<string, unknown>): Partial<Record<KeySlotName, KeyReference>> {
  const refs: Partial<Record<KeySlotName, KeyReference>> = {};
  for (const slot of KEY_TYPES) {
    const value = member(keyInfo, `${slot}KeyVault`);
    if (value === undefined || value === null) {
      if (slot !== "Availability") throw spErrors.invalidKey(slot, `keyInfo.${slot}KeyVault is required.`);
      continue;
    }
    refs[slot] = readKeyVaultInfo(core, slot, value);
  }
  if (refs.Primary!.vaultName === refs.Secondary!.vaultName) throw spErrors.sameVault();
  return refs;
}

/** Wraps a fresh tenant intermediate key with every given key, as SharePoint Online; nothing changes if one fails. */
function wrapAll(core: EmulatorCore, refs: Partial<Record<KeySlotName, KeyReference>>): Partial<Record<KeySlotName, KeySlotRecord>> {
  const tenantKey = randomBytes(32);
  const keys: Partial<Record<KeySlotName, KeySlotRecord>> = {};
  for (const slot of KEY_TYPES) {
    const ref = refs[slot];
    if (ref) keys[slot] = wrapTenantKey(core, slot, ref, tenantKey);
  }
  tenantKey.fill(0);
  return keys;
}

/** `OnboardTenantForBringYourOwnKey`: only from Unregistered. */
export function onboard(core: EmulatorCore, geo: GeoRecord, keyInfo: Record<string, unknown>): void {
  settle(core, geo);
  refuseWhileBusy(geo);
  if (geo.status === "Recovering") throw spErrors.recoveryInProgress();
  if (geo.status !== "Unregistered") throw spErrors.alreadyRegistered();
  geo.keys = wrapAll(core, readKeyInfo(core, keyInfo));
  begin(core, geo, "register");
}

/** `RecoverTenantForBringYourOwnKey`: only in Recovering; new keys, a new registration pass. */
export function recover(core: EmulatorCore, geo: GeoRecord, keyInfo: Record<string, unknown>): void {
  settle(core, geo);
  if (geo.status !== "Recovering") throw spErrors.notInRecovery();
  geo.keys = wrapAll(core, readKeyInfo(core, keyInfo));
  begin(core, geo, "recover");
}

/**
 * `RollTenantBringYourOwnKey`: only from Registered, one roll at a time. The tenant key is
 * unwrapped through a key SharePoint can still use (the other customer key first) and wrapped
 * with the new one; the primary and secondary must stay in two different vaults.
 */
export function roll(core: EmulatorCore, geo: GeoRecord, slot: KeySlotName, info: unknown): void {
  settle(core, geo);
  refuseWhileBusy(geo);
  if (geo.status === "Recovering") throw spErrors.recoveryInProgress();
  if (geo.status !== "Registered") throw spErrors.notRegistered();
  const ref = readKeyVaultInfo(core, slot, info);
  const current = geo.keys[slot];
  if (current && current.vaultName === ref.vaultName && current.keyName.toLowerCase() === ref.keyName.toLowerCase() && current.keyVersion === ref.keyVersion) {
    throw spErrors.sameKey(slot);
  }
  const other = slot === "Primary" ? "Secondary" : slot === "Secondary" ? "Primary" : undefined;
  if (other && geo.keys[other]?.vaultName === ref.vaultName) throw spErrors.sameVault();
  const order: KeySlotName[] = slot === "Secondary" ? ["Primary", "Secondary", "Availability"] : slot === "Primary" ? ["Secondary", "Primary", "Availability"] : ["Primary", "Secondary", "Availability"];
  const usable = order.flatMap((s) => (geo.keys[s] ? [[s, geo.keys[s]!] as [KeySlotName, KeySlotRecord]] : []));
  const tenantKey = unwrapTenantKey(core, usable);
  try {
    geo.keys[slot] = wrapTenantKey(core, slot, ref, tenantKey);
  } finally {
    tenantKey.fill(0);
  }
  begin(core, geo, "roll", { slot, previousUri: current?.uri ?? null });
}

/** Microsoft's side of key loss: the geo enters recovery mode (only from Registered). */
export function enterRecovery(core: EmulatorCore, geo: GeoRecord): void {
  settle(core, geo);
  if (geo.status !== "Registered") throw new Error(`Only a Registered geo can enter recovery; this one is ${geo.status}.`);
  geo.status = "Recovering";
  core.changed();
}
