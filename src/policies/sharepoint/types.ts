/** Public types of `client.policies.sharePoint`: SharePoint Online's Customer Key policy, one per geo. */
import type { OperationOptions } from "../../internal/operation.js";
import type { PollerState } from "../../internal/poller.js";
import type { CustomerKeyStatusName, SharePointKeyType } from "../../transports/sharepoint-transport.js";

/** SharePoint Online's Customer Key policy of one geo (`Get-SPODataEncryptionPolicy`). */
export interface SharePointPolicy {
  /** The geo's data location code (`NAM`, `EUR`, …); `""` for a single-geo tenant. */
  geo: string;
  /** The geo's admin site the policy was read from, e.g. `https://contoso-admin.sharepoint.com`. */
  adminSiteUrl: string;
  /** `Unregistered`, `Registering`, `Registered`, `Rolling` or `Recovering`. */
  state: CustomerKeyStatusName;
  /** Percent (0–100) of the running registration or roll; 100 when Registered, 0 when Unregistered. */
  progressPercent: number;
  /** The primary key URI in use (versioned); undefined while Unregistered. */
  primaryKeyUri: string | undefined;
  /** The secondary key URI in use (versioned); undefined while Unregistered. */
  secondaryKeyUri: string | undefined;
  /** The availability key's URI when the service reports one (Microsoft holds it); else undefined. */
  availabilityKeyUri: string | undefined;
  /** True while the geo is in recovery mode (restore with `beginRecover`). */
  recoveryEnabled: boolean;
}

/** Options of `sharePoint.get`. */
export interface GetSharePointPolicyOptions extends OperationOptions {
  /** The geo's data location code (`NAM`, `EUR`, …); default the tenant's default geo. */
  geo?: string;
}

/** Options every SharePoint poller takes. */
export interface SharePointPollerOptions extends OperationOptions {
  /** The geo's data location code; default the tenant's default geo. */
  geo?: string;
  /** `poller.serialize()` of an earlier run, possibly from another process. */
  resumeFrom?: string;
  /** Time between status reads, in milliseconds; default the client's `pollIntervalInMs`. SharePoint takes hours. */
  updateIntervalInMs?: number;
  /** Called with the state after each poll (the same as `poller.onProgress`). */
  onProgress?: (state: SharePointPolicyOperationState) => void;
}

/** Options of `sharePoint.beginRegister` (`Register-SPODataEncryptionPolicy`). */
export interface RegisterSharePointPolicyOptions extends SharePointPollerOptions {
  /** The primary key's URI (versioned, or versionless for the current version). */
  primaryKeyUri: string;
  /** The secondary key's URI, in another vault of another subscription. */
  secondaryKeyUri: string;
}

/** Options of `sharePoint.beginRollKey` (`Update-SPODataEncryptionPolicy`). */
export interface RollSharePointKeyOptions extends SharePointPollerOptions {
  /** Which key of the policy the roll replaces: `primary` or `secondary`. */
  keyType: SharePointKeyType;
  /** The new key URI (usually a new version of the same key; versionless means the current version). */
  keyUri: string;
}

/** Options of `sharePoint.beginRecover` (`Restore-SPODataEncryptionPolicy`). */
export type RecoverSharePointPolicyOptions = RegisterSharePointPolicyOptions;

/** What a SharePoint poller does: a registration, a key roll or a recovery. */
export type SharePointPolicyOperationKind = "register" | "rollKey" | "recover";

/** The serialisable state of a SharePoint registration, roll or recovery. */
export interface SharePointPolicyOperationState extends PollerState<SharePointPolicy> {
  /** What the poller does. */
  operation: SharePointPolicyOperationKind;
  /** The geo (`""` for a single-geo tenant). */
  geo: string;
  /** The admin site of the geo. */
  adminSiteUrl: string;
  /** True once the request was accepted: from then on only status is read, so a resumed poller never sends twice. */
  sent: boolean;
  /** The key URIs (versioned) the operation puts in place: `[primary, secondary]` for a registration or recovery, one for a roll. */
  keyUris: string[];
  /** For a roll: which key. */
  keyType?: SharePointKeyType;
  /** The state SharePoint reported last, e.g. `Registering`. */
  policyState: CustomerKeyStatusName | undefined;
  /** Percent (0–100) SharePoint reported last. */
  progressPercent: number;
  /** When the state was last updated (ISO 8601). */
  updatedAt: string;
}
