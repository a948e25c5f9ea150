import type { Duration } from "./kernel/clock.js";
import type { DirectoryRoleName, GraphApplicationPermission, Principal, GroupRecord, ServicePrincipalRecord, UserRecord } from "./kernel/directory.js";
import type { FaultRule } from "./kernel/faults.js";
import type { ThrottleLimit } from "./kernel/throttle.js";
import type { RequestLogEntry } from "./kernel/request-log.js";

/**
 * The emulated time every service reads (token expiry aside, which follows wall time). It starts
 * at wall time and only moves forward; its offset is kept in the state file.
 */
export interface EmulatorClock {
  /** The emulated current time. */
  now(): Date;
  /** The emulated current time in Unix milliseconds. */
  nowMs(): number;
  /** The emulated current time in Unix seconds, as Key Vault reports times. */
  nowSeconds(): number;
  /** Moves time forward by `duration` (milliseconds, or a {@link Duration}); never backward. Returns the new time. */
  advance(duration: number | Duration): Date;
  /** Moves time forward to `to` (a moment in the past is a no-op); returns the new time. */
  set(to: Date): Date;
  /** How far (milliseconds) the emulated time runs ahead of wall time; 0 at the start, growing by itself when `rate` is above 1. */
  readonly offsetMs: number;
  /**
   * Emulated milliseconds per wall-clock millisecond: 1 (the default) runs with wall time, 3600
   * makes one real second an emulated hour. Set by the `clockRate` option of `startEmulator`.
   */
  readonly rate: number;
}

/** Fault injection per route: latency, throttling, 5xx, resets, a vault that is down. */
export interface FaultInjector {
  /** Adds a rule; the returned function removes it. */
  inject(rule: FaultRule): () => void;
  /** Takes a vault down: every request to its host fails (503 by default, or connection reset); the returned function brings it back. */
  vaultDown(vaultName: string, options?: { mode?: "respond" | "reset" }): () => void;
  /** Removes every rule. */
  clear(): void;
  /** The rules in force, in the order they were added. */
  readonly active: readonly FaultRule[];
}

/** Per-tenant request limits of the services that opt in (Exchange Online, SharePoint Online); off by default. */
export interface Throttle {
  /** Limits each tenant's requests to `service` (a service name, e.g. `exchange`) to a token bucket, or with `undefined` lifts the limit; buckets start full. */
  set(service: string, limit: ThrottleLimit | undefined): void;
  /** The limit in force for `service`, or `undefined` when it is not throttled. */
  get(service: string): ThrottleLimit | undefined;
}

/** Every request the emulator served (the last 50,000), for assertions on what a client did. */
export interface RequestLog {
  /** A copy of the entries, oldest first, optionally filtered by exact field values. */
  list(filter?: Partial<Pick<RequestLogEntry, "service" | "method" | "operation" | "caller">>): RequestLogEntry[];
  /** Accepted requests that changed (or tried to change) state, from sequence number `since` (default 0) on. */
  mutating(since?: number): RequestLogEntry[];
  /** How many requests were seen so far: pass it to `mutating(since)` to look at what came after. */
  readonly size: number;
  /**
   * Resolves with the first entry recorded from now on that `predicate` accepts (a copy), e.g. to act
   * when a client reaches a given request; a request a `hang` fault holds is recorded when the hang
   * begins. Rejects with the signal's reason when `abortSignal` aborts, or with what `predicate` throws.
   */
  waitFor(predicate: (entry: RequestLogEntry) => boolean, options?: { abortSignal?: AbortSignal }): Promise<RequestLogEntry>;
  /** Forgets the entries (sequence numbers keep counting). */
  clear(): void;
  /** Requests being served right now (Entra ID token requests excluded). */
  readonly inFlight: number;
  /** The most requests served at once since the start or the last `resetPeak()`. */
  readonly peakInFlight: number;
  /** Restarts `peakInFlight` from the current number in flight. */
  resetPeak(): void;
}

/** Users, groups, applications and service principals of the emulated tenant. */
export interface Directory {
  /** The tenant id (a GUID). */
  readonly tenantId: string;
  /** The tenant's default domain, e.g. `contoso.onmicrosoft.com`. */
  readonly defaultDomain: string;
  /** The tenant's display name. */
  readonly organizationName: string;
  /** The users; the first is the seeded admin. */
  readonly users: readonly UserRecord[];
  /** The security groups. */
  readonly groups: readonly GroupRecord[];
  /** The service principals, Microsoft 365's first-party ones included. */
  readonly servicePrincipals: readonly ServicePrincipalRecord[];
  /** Creates a user; a bare local part becomes a UPN in the default domain; the password is random unless given. */
  createUser(options: { userPrincipalName: string; displayName?: string; password?: string }): UserRecord;
  /** Creates a group with these member object ids (none by default). */
  createGroup(options: { displayName: string; members?: string[] }): GroupRecord;
  /** Registers an application and its service principal with a fresh client secret unless `secret` is given; `firstParty` makes Microsoft its owner (default false). */
  createServicePrincipal(options: { displayName: string; appId?: string; secret?: string; firstParty?: boolean }): ServicePrincipalRecord;
  /** Removes a principal by object id (e.g. a Microsoft 365 service principal that was never provisioned). */
  remove(objectId: string): void;
  /** A user by object id or UPN. */
  findUser(idOrUpn: string): UserRecord | undefined;
  /** A service principal by object id or app id. */
  findServicePrincipal(id: string): ServicePrincipalRecord | undefined;
  /** A group by object id. */
  findGroup(id: string): GroupRecord | undefined;
  /** A user (by object id or UPN) or a service principal (by object id or app id). */
  findPrincipal(id: string): Principal | undefined;
  /** Object ids of the groups a principal belongs to, directly or through nested groups. */
  groupsOf(objectId: string): string[];
  /** Assigns a directory role to a user or service principal (by object id); assigning it twice is a no-op. */
  assignDirectoryRole(principalObjectId: string, role: DirectoryRoleName): void;
  /** Removes a directory role from a principal (by object id); removing one it does not hold is a no-op. */
  removeDirectoryRole(principalObjectId: string, role: DirectoryRoleName): void;
  /** The directory roles a principal (by object id) holds directly; the seeded admin is a Global Administrator. */
  directoryRolesOf(principalObjectId: string): DirectoryRoleName[];
  /** Whether the principal (by object id) holds one of `roles`; Global Administrator satisfies every role. */
  hasDirectoryRole(principalObjectId: string, roles: readonly DirectoryRoleName[]): boolean;
  /**
   * Grants a service principal (by object id) a Microsoft Graph application permission: the
   * emulator's form of an app role assignment an administrator consents to once (e.g. Sites.Read.All,
   * which Graph's `sites/getAllSites` requires). Tokens the application gets for Graph afterwards
   * carry it in their `roles` claim (a token issued before keeps its claims until it expires).
   * Granting it twice is a no-op; a user or an unknown object id throws.
   */
  grantApplicationPermission(servicePrincipalObjectId: string, permission: GraphApplicationPermission): void;
  /** Revokes a Graph application permission (by service principal object id); revoking one not granted is a no-op. */
  revokeApplicationPermission(servicePrincipalObjectId: string, permission: GraphApplicationPermission): void;
  /** The Graph application permissions granted to a service principal (by object id). */
  applicationPermissionsOf(servicePrincipalObjectId: string): GraphApplicationPermission[];
}
