import type { Directory as PublicDirectory } from "../public-types.js";
import { randomBytes, randomUUID } from "node:crypto";

/** Well-known Microsoft 365 first-party applications that Customer Key grants key access to. */
export const MICROSOFT_365_APPS = {
  exchangeOnline: { appId: "00000002-0000-0ff1-ce00-000000000000", displayName: "Office 365 Exchange Online" },
  sharePointOnline: { appId: "00000003-0000-0ff1-ce00-000000000000", displayName: "Office 365 SharePoint Online" },
  dataAtRestEncryption: { appId: "c066d759-24ae-40e7-a56f-027002b5d3e4", displayName: "M365DataAtRestEncryption" },
} as const;

/**
 * Microsoft Entra directory roles the emulated Microsoft 365 admin services check. Global
 * Administrator satisfies every role check, as in Entra ID. Global Reader may run the reads
 * (Exchange's `Get-*`/`Test-*` cmdlets, SharePoint's status methods) and nothing else.
 */
export type DirectoryRoleName = "Global Administrator" | "Global Reader" | "Exchange Administrator" | "Compliance Administrator" | "SharePoint Administrator";

/** The directory roles the emulator knows. */
export const DIRECTORY_ROLES: readonly DirectoryRoleName[] = ["Global Administrator", "Global Reader", "Exchange Administrator", "Compliance Administrator", "SharePoint Administrator"];

/** Who may run a read of the admin services besides the roles of the operation itself. */
export const READ_ONLY_ROLES: readonly DirectoryRoleName[] = ["Global Reader"];

/**
 * Microsoft Graph application permissions (app roles of Microsoft Graph) the emulated Graph checks.
 * Sites.Read.All lets an application list every site (`sites/getAllSites`); Sites.ReadWrite.All and
 * Sites.FullControl.All include it.
 */
export type GraphApplicationPermission = "Sites.Read.All" | "Sites.ReadWrite.All" | "Sites.FullControl.All";

/** The Graph application permissions the emulator knows. */
export const GRAPH_APPLICATION_PERMISSIONS: readonly GraphApplicationPermission[] = ["Sites.Read.All", "Sites.ReadWrite.All", "Sites.FullControl.All"];

/** A user of the emulated directory. */
export interface UserRecord {
  /** Object id (a GUID). */
  objectId: string;
  /** UPN, `name@{default domain}`. */
  userPrincipalName: string;
  /** Display name. */
  displayName: string;
  /** Emulator-only password for the username/password grant. */
  password: string;
  /** A disabled account gets no token; true by default. */
  accountEnabled: boolean;
}

/** A security group of the emulated directory. */
export interface GroupRecord {
  /** Object id (a GUID). */
  objectId: string;
  /** Display name. */
  displayName: string;
  /** Object ids of its members (users, service principals or groups). */
  members: string[];
}

/** A service principal (with its application) of the emulated directory. */
export interface ServicePrincipalRecord {
  /** Object id of the service principal (a GUID). */
  objectId: string;
  /** Application (client) id (a GUID). */
  appId: string;
  /** Display name. */
  displayName: string;
  /** Emulator-only client secrets for the client-credentials grant. */
  secrets: string[];
  /** A disabled service principal gets no token; true by default. */
  accountEnabled: boolean;
  /** Microsoft's first-party apps belong to Microsoft's own tenant. */
  appOwnerOrganizationId: string;
}

/** The directory as the state file keeps it. */
export interface DirectoryState {
  /** Tenant id (a GUID). */
  tenantId: string;
  /** Tenant display name. */
  organizationName: string;
  /** Default domain, e.g. `contoso.onmicrosoft.com`. */
  defaultDomain: string;
  /** Users; the first is the seeded admin. */
  users: UserRecord[];
  /** Security groups. */
  groups: GroupRecord[];
  /** Service principals, Microsoft 365 first-party ones included. */
  servicePrincipals: ServicePrincipalRecord[];
  /**
   * Directory role assignments: principal object id → roles. Absent in state files written before
   * roles existed; the seeded admin (the first user) is then a Global Administrator.
   */
  directoryRoles?: Record<string, DirectoryRoleName[]>;
  /**
   * Microsoft Graph application permissions granted (admin-consented app role assignments): service
   * principal object id → permissions. Absent in state files written before grants existed (none granted).
   */
  applicationPermissions?: Record<string, GraphApplicationPermission[]>;
}

/** A principal of the directory, as `credentialFor` and the auth layer see it. */
export type Principal =
  | { kind: "user"; record: UserRecord }
  | { kind: "servicePrincipal"; record: ServicePrincipalRecord };

const microsoftTenant = "f8cdef31-a31e-4b4a-93e4-5f571e91255a";

export const newSecret = () => randomBytes(24).toString("base64url");

/** Users, groups, applications and service principals of the emulated tenant. */
export class Directory implements PublicDirectory {
  constructor(
    private readonly state: DirectoryState,
    private readonly changed: () => void,
  ) {
    // Older state files have no roles: the seeded admin held every right, so it stays Global Administrator.
    if (state.directoryRoles === undefined) {
      const admin = state.users[0];
      state.directoryRoles = admin ? { [admin.objectId]: ["Global Administrator"] } : {};
    }
  }

  /** Assigns a directory role to a user or service principal (by object id); assigning it twice is a no-op. */
  assignDirectoryRole(principalObjectId: string, role: DirectoryRoleName): void {
    if (!DIRECTORY_ROLES.includes(role)) throw new Error(`Unknown directory role '${String(role)}'.`);
    const id = principalObjectId.toLowerCase();
    const principal = this.findPrincipal(id);
    if (!principal || principal.record.objectId !== id) throw new Error(`No principal with object id '${principalObjectId}' in the emulated directory.`);
    const roles = (this.state.directoryRoles![id] ??= []);
    if (roles.includes(role)) return;
    roles.push(role);
    this.changed();
  }

  /** Removes a directory role from a principal (by object id); removing one it does not hold is a no-op. */
  removeDirectoryRole(principalObjectId: string, role: DirectoryRoleName): void {
    const id = principalObjectId.toLowerCase();
    const roles = this.state.directoryRoles![id];
    if (!roles?.includes(role)) return;
    const left = roles.filter((r) => r !== role);
    if (left.length === 0) delete this.state.directoryRoles![id];
    else this.state.directoryRoles![id] = left;
    this.changed();
  }

  /** The directory roles a principal (by object id) holds directly. */
  directoryRolesOf(principalObjectId: string): DirectoryRoleName[] {
    return [...(this.state.directoryRoles![principalObjectId.toLowerCase()] ?? [])];
  }

  /** Whether the principal holds one of `roles`; Global Administrator satisfies every role. */
  hasDirectoryRole(principalObjectId: string, roles: readonly DirectoryRoleName[]): boolean {
    const held = this.state.directoryRoles![principalObjectId.toLowerCase()] ?? [];
    return held.includes("Global Administrator") || held.some((r) => roles.includes(r));
  }

  /**
   * Grants a service principal (by object id) a Microsoft Graph application permission, as an
   * administrator's consent does (an app role assignment on Microsoft Graph). Tokens issued for
   * Graph afterwards carry it in their `roles` claim; granting it twice is a no-op.
   */
  grantApplicationPermission(servicePrincipalObjectId: string, permission: GraphApplicationPermission): void {
    if (!GRAPH_APPLICATION_PERMISSIONS.includes(permission)) throw new Error(`Unknown Microsoft Graph application permission '${String(permission)}'.`);
    const id = servicePrincipalObjectId.toLowerCase();
    const sp = this.findServicePrincipal(id);
    // Users hold delegated permissions only; application permissions belong to service principals.
    if (!sp || sp.objectId !== id) throw new Error(`No service principal with object id '${servicePrincipalObjectId}' in the emulated directory.`);
    const granted = ((this.state.applicationPermissions ??= {})[id] ??= []);
    if (granted.includes(permission)) return;
    granted.push(permission);
    this.changed();
  }

  /** Revokes a Graph application permission (by service principal object id); revoking one not granted is a no-op. */
  revokeApplicationPermission(servicePrincipalObjectId: string, permission: GraphApplicationPermission): void {
    const id = servicePrincipalObjectId.toLowerCase();
    const granted = this.state.applicationPermissions?.[id];
    if (!granted?.includes(permission)) return;
    const left = granted.filter((p) => p !== permission);
    if (left.length === 0) delete this.state.applicationPermissions![id];
    else this.state.applicationPermissions![id] = left;
    this.changed();
  }

  /** The Graph application permissions granted to a service principal (by object id). */
  applicationPermissionsOf(servicePrincipalObjectId: string): GraphApplicationPermission[] {
    return [...(this.state.applicationPermissions?.[servicePrincipalObjectId.toLowerCase()] ?? [])];
  }

  get tenantId(): string {
    return this.state.tenantId;
  }

  get defaultDomain(): string {
    return this.state.defaultDomain;
  }

  get organizationName(): string {
    return this.state.organizationName;
  }

  get users(): readonly UserRecord[] {
    return this.state.users;
  }

  get groups(): readonly GroupRecord[] {
    return this.state.groups;
  }

  get servicePrincipals(): readonly ServicePrincipalRecord[] {
    return this.state.servicePrincipals;
  }

  /** Creates a user; the local part becomes a UPN in the tenant's domain unless a full UPN is given. */
  createUser(options: { userPrincipalName: string; displayName?: string; password?: string }): UserRecord {
    const upn = options.userPrincipalName.includes("@")
      ? options.userPrincipalName
      : `${options.userPrincipalName}@${this.state.defaultDomain}`;
    if (this.findUser(upn)) throw new Error(`A user ${upn} already exists in the emulated directory.`);
    const user: UserRecord = {
      objectId: randomUUID(),
      userPrincipalName: upn,
      displayName: options.displayName ?? upn.split("@")[0]!,
      password: options.password ?? newSecret(),
      accountEnabled: true,
    };
    this.state.users.push(user);
    this.changed();
    return user;
  }

  createGroup(options: { displayName: string; members?: string[] }): GroupRecord {
    const group: GroupRecord = { objectId: randomUUID(), displayName: options.displayName, members: [...(options.members ?? [])] };
    this.state.groups.push(group);
    this.changed();
    return group;
  }

  /** Registers an application and its service principal with a fresh client secret. */
  createServicePrincipal(options: { displayName: string; appId?: string; secret?: string; firstParty?: boolean }): ServicePrincipalRecord {
    const appId = options.appId ?? randomUUID();
    if (this.findServicePrincipal(appId)) throw new Error(`A service principal for app ${appId} already exists.`);
    const sp: ServicePrincipalRecord = {
      objectId: randomUUID(),
      appId,
      displayName: options.displayName,
      secrets: [options.secret ?? newSecret()],
      accountEnabled: true,
      appOwnerOrganizationId: options.firstParty ? microsoftTenant : this.state.tenantId,
    };
    this.state.servicePrincipals.push(sp);
    this.changed();
    return sp;
  }

  /** Removes a principal (e.g. a Microsoft 365 service principal that was never provisioned). */
  remove(objectId: string): void {
    this.state.users = this.state.users.filter((u) => u.objectId !== objectId);
    this.state.servicePrincipals = this.state.servicePrincipals.filter((s) => s.objectId !== objectId);
    this.state.groups = this.state.groups.filter((g) => g.objectId !== objectId);
    delete this.state.directoryRoles![objectId.toLowerCase()];
    if (this.state.applicationPermissions) delete this.state.applicationPermissions[objectId.toLowerCase()];
    for (const g of this.state.groups) g.members = g.members.filter((m) => m !== objectId);
    this.changed();
  }

  findUser(idOrUpn: string): UserRecord | undefined {
    const key = idOrUpn.toLowerCase();
    return this.state.users.find((u) => u.objectId === key || u.userPrincipalName.toLowerCase() === key);
  }

  /** By object id or app id. */
  findServicePrincipal(id: string): ServicePrincipalRecord | undefined {
    const key = id.toLowerCase();
    return this.state.servicePrincipals.find((s) => s.objectId === key || s.appId === key);
  }

  findGroup(id: string): GroupRecord | undefined {
    return this.state.groups.find((g) => g.objectId === id.toLowerCase());
  }

  /** A user (by object id or UPN) or a service principal (by object id or app id). */
  findPrincipal(id: string): Principal | undefined {
    const user = this.findUser(id);
    if (user) return { kind: "user", record: user };
    const sp = this.findServicePrincipal(id);
    return sp ? { kind: "servicePrincipal", record: sp } : undefined;
  }

  /**
   * The object ids of the groups a principal belongs to, directly or through nested groups, as
   * Azure RBAC and Key Vault access policies count membership.
   */
  groupsOf(objectId: string): string[] {
    const found = new Set<string>();
    const pending = [objectId.toLowerCase()];
    for (let member = pending.pop(); member !== undefined; member = pending.pop()) {
      for (const group of this.state.groups) {
        if (found.has(group.objectId) || !group.members.some((m) => m.toLowerCase() === member)) continue;
        found.add(group.objectId);
        pending.push(group.objectId);
      }
    }
    return [...found];
  }
}

/** A fresh tenant with one admin user and the Microsoft 365 service principals. */
export function seedDirectory(tenantId: string = randomUUID()): DirectoryState {
  const state: DirectoryState = {
    tenantId,
    organizationName: "Contoso",
    defaultDomain: "contoso.onmicrosoft.com",
    users: [],
    groups: [],
    servicePrincipals: [],
    directoryRoles: {},
  };
  const directory = new Directory(state, () => {});
  const admin = directory.createUser({ userPrincipalName: "admin", displayName: "Contoso Admin" });
  directory.assignDirectoryRole(admin.objectId, "Global Administrator");
  for (const app of Object.values(MICROSOFT_365_APPS)) {
    directory.createServicePrincipal({ displayName: app.displayName, appId: app.appId, firstParty: true });
  }
  return state;
}
