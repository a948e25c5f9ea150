/** client.directory: the Graph lookups of the client, answered from its shared directory cache. */
import { runOperation } from "../internal/operation.js";
import type { DirectoryPrincipal, GraphDirectory } from "../azure/graph-directory.js";
import type { ClientContext } from "../internal/context.js";
import type { OperationOptions } from "../internal/operation.js";

/** `client.directory`: Microsoft Graph lookups of users and service principals, cached per client. */
export interface DirectoryOperations {
  /** A user by UPN or object id, or undefined when there is none. */
  findUser(upnOrObjectId: string, options?: OperationOptions): Promise<DirectoryPrincipal | undefined>;
  /** The tenant's service principal of an application id, or undefined when it is not provisioned. */
  findServicePrincipalByAppId(appId: string, options?: OperationOptions): Promise<DirectoryPrincipal | undefined>;
  /** Any principal by object id (user, then service principal, then group), or undefined; cached per client. */
  findByObjectId(objectId: string, options?: OperationOptions): Promise<DirectoryPrincipal | undefined>;
  /** A principal as a person wrote it: a UPN (user) or an object id; undefined when the directory has none. */
  resolve(principal: string, options?: OperationOptions): Promise<DirectoryPrincipal | undefined>;
}

/** Implements DirectoryOperations; built by the facade from the internal context. @internal */
export class DirectoryClient implements DirectoryOperations {
  readonly #context: ClientContext;
  readonly #graph: GraphDirectory;

  constructor(context: ClientContext, graph: GraphDirectory) {
    this.#context = context;
    this.#graph = graph;
  }

  findUser(upnOrObjectId: string, options: OperationOptions = {}): Promise<DirectoryPrincipal | undefined> {
    return runOperation(this.#context, "directory.findUser", options, async (options) => {
      return this.#graph.findUser(upnOrObjectId, options);
    });
  }

  findServicePrincipalByAppId(appId: string, options: OperationOptions = {}): Promise<DirectoryPrincipal | undefined> {
    return runOperation(this.#context, "directory.findServicePrincipalByAppId", options, async (options) => {
      return this.#graph.findServicePrincipalByAppId(appId, options);
    });
  }

  findByObjectId(objectId: string, options: OperationOptions = {}): Promise<DirectoryPrincipal | undefined> {
    return runOperation(this.#context, "directory.findByObjectId", options, async (options) => {
      return this.#graph.findByObjectId(objectId, options);
    });
  }

  resolve(principal: string, options: OperationOptions = {}): Promise<DirectoryPrincipal | undefined> {
    return runOperation(this.#context, "directory.resolve", options, async (options) => {
      return this.#graph.resolve(principal, options);
    });
  }
}
