/**
 * Microsoft Graph lookups that vaultPairs, the preflight report and `client.directory` share: a user by UPN or object id, a service principal
 * by app id, any principal by object id. Read-only; every call is retried through withRetry.
 */
import type { Client } from "@microsoft/microsoft-graph-client";
import type { ClientContext } from "../internal/context.js";
import { isGuid } from "../rules/ids.js";
import { withRetry } from "../internal/retry.js";
import { statusOf } from "../internal/service-errors.js";
import { createGraphClient, graphCall } from "../azure/graph-transport.js";

/** What kind of directory object a principal is. */
export type PrincipalKind = "user" | "servicePrincipal" | "group";

/** A directory object, as far as access decisions need it. */
export interface DirectoryPrincipal {
  /** The Entra object id (a GUID). */
  objectId: string;
  /** User, service principal or group. */
  kind: PrincipalKind;
  /** The display name, when Graph reports one. */
  displayName?: string;
  /** The user principal name, for users. */
  userPrincipalName?: string;
  /** The application id, for service principals. */
  appId?: string;
}

/** What a lookup takes: the caller's AbortSignal. */
export interface DirectoryLookupOptions {
  /** Cancels the lookup. */
  abortSignal?: AbortSignal;
}

const odataQuote = (value: string) => value.replace(/'/g, "''");

/** Graph lookups bound to the client's credential; one per client, so its object-id cache is shared. */
export class GraphDirectory {
  readonly #context: ClientContext;
  #graph: Client | undefined;
  readonly #byObjectId = new Map<string, DirectoryPrincipal | null>();

  constructor(context: ClientContext) {
    this.#context = context;
  }

  get #client(): Client {
    return (this.#graph ??= createGraphClient(this.#context));
  }

  /** GET one object; undefined on 404. */
  async #getOrUndefined<T>(operation: string, path: string, select: string, options: DirectoryLookupOptions): Promise<T | undefined> {
    try {
      return await withRetry(
        operation,
        () => {
          const request = this.#client.api(path).select(select);
          if (options.abortSignal) request.option("signal", options.abortSignal);
          return graphCall(() => request.get() as Promise<T>);
        },
        this.#context.retryOptions(options),
      );
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  /** A user by UPN or object id, or undefined when there is none. */
  async findUser(upnOrObjectId: string, options: DirectoryLookupOptions = {}): Promise<DirectoryPrincipal | undefined> {
    const user = await this.#getOrUndefined<{ id: string; displayName?: string; userPrincipalName?: string }>(
      "directory.getUser",
      `/users/${encodeURIComponent(upnOrObjectId)}`,
      "id,displayName,userPrincipalName",
      options,
    );
    if (!user) return undefined;
    return this.#remember({ objectId: user.id, kind: "user", ...opt("displayName", user.displayName), ...opt("userPrincipalName", user.userPrincipalName) });
  }

  /** The tenant's service principal for an application id, or undefined when it is not provisioned. */
  async findServicePrincipalByAppId(appId: string, options: DirectoryLookupOptions = {}): Promise<DirectoryPrincipal | undefined> {
    const result = await withRetry(
      "directory.listServicePrincipals",
      () => {
        const request = this.#client
          .api("/servicePrincipals")
          .filter(`appId eq '${odataQuote(appId)}'`)
          .select("id,appId,displayName");
        if (options.abortSignal) request.option("signal", options.abortSignal);
        return graphCall(() => request.get() as Promise<{ value?: { id: string; appId?: string; displayName?: string }[] }>);
      },
      this.#context.retryOptions(options),
    );
    const sp = result.value?.[0];
    if (!sp) return undefined;
    return this.#remember({ objectId: sp.id, kind: "servicePrincipal", appId: sp.appId ?? appId, ...opt("displayName", sp.displayName) });
  }

  /** Any principal by object id (user, then service principal, then group); cached per client. */
  async findByObjectId(objectId: string, options: DirectoryLookupOptions = {}): Promise<DirectoryPrincipal | undefined> {
    const key = objectId.toLowerCase();
    if (this.#byObjectId.has(key)) return this.#byObjectId.get(key) ?? undefined;
    const found =
      (await this.findUser(objectId, options)) ??
      (await this.#findTyped("servicePrincipal", `/servicePrincipals/${encodeURIComponent(objectId)}`, "id,appId,displayName", options)) ??
      (await this.#findTyped("group", `/groups/${encodeURIComponent(objectId)}`, "id,displayName", options));
    if (!found) this.#byObjectId.set(key, null);
    return found;
  }

  /**
   * Resolves how a person wrote a principal: a UPN (user), or an object id of a user, service
   * principal or group. Undefined when the directory has no such principal.
   */
  async resolve(principal: string, options: DirectoryLookupOptions = {}): Promise<DirectoryPrincipal | undefined> {
    return isGuid(principal) ? this.findByObjectId(principal, options) : this.findUser(principal, options);
  }

  async #findTyped(kind: PrincipalKind, path: string, select: string, options: DirectoryLookupOptions): Promise<DirectoryPrincipal | undefined> {
    const item = await this.#getOrUndefined<{ id: string; displayName?: string; appId?: string }>(`directory.get${kind === "group" ? "Group" : "ServicePrincipal"}`, path, select, options);
    if (!item) return undefined;
    return this.#remember({ objectId: item.id, kind, ...opt("displayName", item.displayName), ...opt("appId", item.appId) });
  }

  #remember(principal: DirectoryPrincipal): DirectoryPrincipal {
    this.#byObjectId.set(principal.objectId.toLowerCase(), principal);
    return principal;
  }
}

function opt<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined || value === null ? {} : ({ [key]: value } as Record<K, string>);
}
