import { randomUUID } from "node:crypto";

/**
 * SharePoint Online Customer Key ("bring your own key") state of the emulator: plain JSON, kept in
 * the state file under {@link SHAREPOINT_STATE_KEY}. One record per geo (data location): each geo
 * has its own admin site, its own sites and registers its own pair of keys ("one DEP per geo",
 * research m365-endpoints §3.1).
 */

/**
 * `SP.CustomerKeyStatus`, in declaration order of the `$metadata` and the CSOM dump (research §3.3).
 * The numbers are that order (0..n): inferred, not seen on the wire.
 */
export const CUSTOMER_KEY_STATUS = [
  "Unregistered", "Registering", "Registered", "Rolling", "Recovering",
  "UnregisteringToMMK", "RegisteringToMMK", "RegisteredToMMK", "RollingMMK",
] as const;

/** The states the emulator reaches (the `…MMK` ones, Microsoft-managed keys, are never entered). */
export type SharePointKeyStatusName = "Unregistered" | "Registering" | "Registered" | "Rolling" | "Recovering";

/** `SP.CustomerKeyVaultKeyType`: the `keyType` of `RollTenantBringYourOwnKey` (0, 1, 2). */
export const KEY_TYPES: readonly KeySlotName[] = ["Primary", "Secondary", "Availability"];
/** A key slot of a geo: `SP.CustomerKeyVaultKeyType` by name. */
export type KeySlotName = "Primary" | "Secondary" | "Availability";

/** A key the tenant registered, as SharePoint keeps it. */
export interface KeySlotRecord {
  /** The key URI as the status reports it (as the caller gave it, or built from vault, key and version). */
  uri: string;
  /** Vault name, lower case. */
  vaultName: string;
  /** Key name. */
  keyName: string;
  /** Key version, 32 lower-case hex characters. */
  keyVersion: string;
  /** The kid the tenant intermediate key is wrapped under (the emulator's vault URL form). */
  kid: string;
  /** The tenant intermediate key wrapped with this key (RSA-OAEP-256, base64url); redacted in snapshots. */
  wrappedTenantKey: string;
}

/** A key operation in progress; its progress is read from the emulator clock. */
export interface KeyOperationRecord {
  /** What runs: registration (Registering), a key roll (Rolling) or recovery (Registering again after Recovering). */
  kind: "register" | "roll" | "recover";
  /** Emulator-clock Unix milliseconds when it started. */
  startedAtMs: number;
  /** How long it takes, emulator-clock milliseconds. */
  durationMs: number;
  /** For a roll: the slot rolled and the key URI it replaced (sites not yet rolled still report it). */
  roll?: { slot: KeySlotName; previousUri: string | null };
  /** The ids of the sites that existed when it started, in the order they are done; sites made later start under the current keys. */
  siteIds?: string[];
}

/** A site collection of a geo. */
export interface SiteRecord {
  /** Site collection id (a GUID); Graph's `siteCollectionId`. */
  id: string;
  /** Id of its root web (a GUID); Graph's site id ends with it. */
  webId: string;
  /** Server-relative URL: `/` for the root site, `/sites/{name}` otherwise. */
  path: string;
  /** Display name. */
  title: string;
  /** Emulator-clock Unix milliseconds of creation; 0 for seeded sites. */
  createdAtMs: number;
}

/** One geo (data location) of the tenant. */
export interface GeoRecord {
  /** Data location code (`NAM`, `EUR`, …); empty for a single-geo tenant (Graph's `dataLocationCode`). */
  code: string;
  /** Host label: `contoso` for the default geo, `contoso{code}` (lower case) for a satellite geo. */
  label: string;
  /** Customer Key state of the geo. */
  status: SharePointKeyStatusName;
  /** The registered keys; absent while Unregistered. */
  keys: Partial<Record<KeySlotName, KeySlotRecord>>;
  /** The operation in progress, if any. */
  operation?: KeyOperationRecord;
  /** `SP.CustomerRecoveryKeyMode` number (0 Standard, 1 NoRecoveryKey, 2 CustomerControlled, 3 Blackout); 0 by default. */
  recoveryKeyMode: number;
  /** Site collections; the first is the root site. */
  sites: SiteRecord[];
}

/** How long SharePoint's key operations take, in emulator-clock milliseconds. */
export interface SharePointBehaviour {
  /** Registration (and recovery) from start to Registered; 4 hours by default. */
  registrationDurationMs: number;
  /** A key roll from start to Registered; 4 hours by default. */
  rollDurationMs: number;
}

/** SharePoint Online state of the emulator. */
export interface SharePointState {
  /** The geos, default geo first; seeded at the first start. */
  geos: GeoRecord[];
  /** Operation durations. */
  behaviour: SharePointBehaviour;
}

/** The key of SharePoint's state in the state file. */
export const SHAREPOINT_STATE_KEY = "sharePoint";

/** Default operation durations: a few hours of emulator clock, chosen (Microsoft gives no figure). */
export const DEFAULT_SHAREPOINT_BEHAVIOUR: SharePointBehaviour = { registrationDurationMs: 4 * 3_600_000, rollDurationMs: 4 * 3_600_000 };

export function emptySharePointState(): SharePointState {
  return { geos: [], behaviour: { ...DEFAULT_SHAREPOINT_BEHAVIOUR } };
}

/** SharePoint's live state in the emulator. */
export const sharePointState = (core: { serviceState<S>(key: string): S }): SharePointState =>
  core.serviceState<SharePointState>(SHAREPOINT_STATE_KEY);

/**
 * Microsoft 365 Multi-Geo data location codes (Microsoft's "Multi-Geo availability" list, from
 * memory of the learn page; not in the research notes): a start option outside it is refused.
 */
export const DATA_LOCATION_CODES = [
  "APC", "ARE", "AUS", "BRA", "CAN", "CHE", "DEU", "ESP", "EUR", "FRA", "GBR", "IND", "ISR", "ITA", "JPN", "KOR",
  "MEX", "NAM", "NOR", "NZL", "POL", "QAT", "SWE", "TWN", "ZAF",
] as const;

/** Sites every geo starts with, besides its root site. */
const SEEDED_SITES = [
  { name: "hr", title: "Human Resources" },
  { name: "finance", title: "Finance" },
  { name: "legal", title: "Legal" },
];

export function newSite(path: string, title: string, createdAtMs: number): SiteRecord {
  return { id: randomUUID(), webId: randomUUID(), path, title, createdAtMs };
}

/**
 * The geos of a new tenant: one single-geo record (code "") when `codes` is empty, otherwise one
 * per code, the first being the default geo (`contoso`) and the others satellites (`contoso{code}`,
 * Microsoft's naming for satellite geo hosts).
 */
export function newGeos(tenantLabel: string, codes: readonly string[]): GeoRecord[] {
  const list = codes.length === 0 ? [""] : codes;
  return list.map((code, i) => ({
    code,
    label: i === 0 ? tenantLabel : `${tenantLabel}${code.toLowerCase()}`,
    status: "Unregistered" as const,
    keys: {},
    recoveryKeyMode: 0,
    sites: [newSite("/", i === 0 ? "Communication site" : `Communication site (${code})`, 0), ...SEEDED_SITES.map((s) => newSite(`/sites/${s.name}`, s.title, 0))],
  }));
}

/** Checks a `geos` start option: known codes, no repeats. */
export function checkDataLocations(codes: readonly string[]): string[] {
  const upper = codes.map((c) => String(c).toUpperCase());
  for (const code of upper) {
    if (!(DATA_LOCATION_CODES as readonly string[]).includes(code)) {
      throw new RangeError(`'${code}' is not a Microsoft 365 Multi-Geo data location code (one of ${DATA_LOCATION_CODES.join(", ")}).`);
    }
  }
  if (new Set(upper).size !== upper.length) throw new RangeError("Each data location may appear only once in 'geos'.");
  return upper;
}
