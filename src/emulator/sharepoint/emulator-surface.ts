import type { EmulatorCore } from "../kernel/core.js";
import { enterRecovery, siteStatus, tenantStatus, type KeyStatus } from "./key-state-machine.js";
import { checkDataLocations, newGeos, newSite, sharePointState, type GeoRecord, type SharePointBehaviour, type SharePointKeyStatusName } from "./model.js";
import { adminSiteUrl, geoByLabel, siteUrl, tenantLabel } from "./request-context.js";

/** A Customer Key status of the emulated SharePoint Online, as `SP.CustomerKeyStatusInfo` reports it. */
export interface SharePointKeyStatus {
  /** `Unregistered`, `Registering`, `Registered`, `Rolling` or `Recovering`. */
  status: SharePointKeyStatusName;
  /** Percent (0–100) of the geo's sites done in the running registration or roll; 100 when Registered, 0 when Unregistered. */
  registrationProgress: number;
  /** The registered primary key URI; null while Unregistered. */
  primaryKeyVaultUri: string | null;
  /** The registered secondary key URI; null while Unregistered. */
  secondaryKeyVaultUri: string | null;
  /** The availability key URI, when the caller registered one; null otherwise (Microsoft holds it). */
  availabilityKeyVaultUri: string | null;
  /** True while the geo is in recovery mode (Recovering). */
  recoveryEnabled: boolean;
}

/** A site collection of the emulated SharePoint Online. */
export interface SharePointSite {
  /** Its URL on the emulator, e.g. `https://contoso.sharepoint.localhost:{port}/sites/hr`. */
  url: string;
  /** Its geo's data location code (`NAM`, `EUR`, …); empty for a single-geo tenant. */
  dataLocationCode: string;
  /** Site collection id (a GUID). */
  id: string;
  /** Display name. */
  title: string;
}

/** How long SharePoint's key operations take; see {@link SharePointEmulator.setBehaviour}. */
export type { SharePointBehaviour };

/**
 * The emulated SharePoint Online (Customer Key methods). A `geo` argument is a data location code
 * the emulator was started with (`geos`); omitted, it is the default (first) geo.
 */
export interface SharePointEmulator {
  /** The data location codes the tenant was started with, default first; empty for a single-geo tenant. */
  readonly dataLocations: readonly string[];
  /** The admin site URL of a geo: `https://{label}-admin.sharepoint.localhost:{port}` (`contoso`, or `contoso{code}` for a satellite geo). */
  adminSiteUrl(geo?: string): string;
  /** The geo's Customer Key status now (an operation whose time has passed on the emulator clock is completed first). */
  tenantStatus(geo?: string): SharePointKeyStatus;
  /** A site's Customer Key status, by its URL; throws when the site does not exist or its geo is Unregistered. */
  siteStatus(siteUrl: string): SharePointKeyStatus;
  /** The site collections of a geo (root site first), or of every geo when `geo` is omitted. */
  sites(geo?: string): SharePointSite[];
  /** Creates a site collection `/sites/{name}` (letters, digits, `-`, `_`) in a geo; it starts under the geo's current keys. */
  createSite(options: { name: string; geo?: string; title?: string }): SharePointSite;
  /** Changes how long registration and key rolls take, in emulator-clock milliseconds (4 hours each by default); only the fields given change. */
  setBehaviour(behaviour: Partial<SharePointBehaviour>): void;
  /** The current operation durations, in emulator-clock milliseconds. */
  behaviour(): SharePointBehaviour;
  /** Puts a Registered geo in recovery mode (Microsoft's side after a key loss), so `RecoverTenantForBringYourOwnKey` is accepted. */
  beginRecovery(geo?: string): void;
}

const publicStatus = (s: KeyStatus): SharePointKeyStatus => ({ ...s });

function geoOf(core: EmulatorCore, code: string | undefined): GeoRecord {
  const geos = sharePointState(core).geos;
  if (code === undefined) return geos[0]!;
  const geo = geos.find((g) => g.code === code.toUpperCase());
  if (!geo) throw new Error(`The emulated tenant has no geo '${code}' (it has ${geos.map((g) => g.code || "(single geo)").join(", ")}).`);
  return geo;
}

/** Seeds the geos of a new tenant from the `geos` start option; a tenant that already has geos keeps them. */
export function seedGeos(core: EmulatorCore, codes: readonly string[] | undefined): void {
  if (!core.services.has("sharepoint")) return;
  const checked = checkDataLocations(codes ?? []);
  const state = sharePointState(core);
  if (state.geos.length > 0 || checked.length === 0) return;
  state.geos = newGeos(tenantLabel(core.endpoints), checked);
  core.changed();
}

/** The `emulator.sharePoint` object over the live state. */
export function sharePointEmulator(core: EmulatorCore): SharePointEmulator {
  const toSite = (geo: GeoRecord, site: GeoRecord["sites"][number]): SharePointSite => ({
    url: siteUrl(core.endpoints, geo, site),
    dataLocationCode: geo.code,
    id: site.id,
    title: site.title,
  });
  const findSite = (url: string) => {
    const parsed = new URL(url);
    const geo = geoByLabel(core, parsed.hostname.split(".")[0]!);
    const path = parsed.pathname.replace(/\/+$/, "").toLowerCase() || "/";
    const site = geo?.sites.find((s) => s.path.toLowerCase() === path);
    if (!geo || !site) throw new Error(`No site ${url} in the emulated SharePoint Online.`);
    return { geo, site };
  };
  const done = <T>(value: T): T => {
    core.flush();
    return value;
  };
  return {
    get dataLocations() {
      return sharePointState(core).geos.map((g) => g.code).filter((c) => c !== "");
    },
    adminSiteUrl: (geo) => adminSiteUrl(core.endpoints, geoOf(core, geo)),
    tenantStatus: (geo) => done(publicStatus(tenantStatus(core, geoOf(core, geo)))),
    siteStatus(url) {
      const { geo, site } = findSite(url);
      return done(publicStatus(siteStatus(core, geo, site)));
    },
    sites: (geo) => (geo === undefined ? sharePointState(core).geos : [geoOf(core, geo)]).flatMap((g) => g.sites.map((s) => toSite(g, s))),
    createSite(options) {
      if (!/^[A-Za-z0-9_-]{1,128}$/.test(options.name)) throw new RangeError(`'${options.name}' is not a valid site name (letters, digits, '-', '_').`);
      const geo = geoOf(core, options.geo);
      const path = `/sites/${options.name}`;
      if (geo.sites.some((s) => s.path.toLowerCase() === path.toLowerCase())) throw new Error(`The site ${path} already exists.`);
      const site = newSite(path, options.title ?? options.name, core.clock.nowMs());
      geo.sites.push(site);
      core.changed();
      return done(toSite(geo, site));
    },
    setBehaviour(behaviour) {
      for (const [name, value] of Object.entries(behaviour)) {
        if (value === undefined) continue;
        if (!(typeof value === "number" && Number.isFinite(value) && value >= 0)) throw new RangeError(`${name} must be a number of milliseconds ≥ 0.`);
      }
      Object.assign(sharePointState(core).behaviour, behaviour);
      core.changed();
      core.flush();
    },
    behaviour: () => ({ ...sharePointState(core).behaviour }),
    beginRecovery(geo) {
      enterRecovery(core, geoOf(core, geo));
      core.flush();
    },
  };
}
