/** client.directory: the Graph lookups of the client, answered from its shared directory cache. */
import { runOperation } from "../internal/operation.js";
import type { DirectoryPrincipal, GraphDirectory } from "../azure/graph-directory.js";
import type { ClientContext } from "../internal/context.js";
import type { OperationOptions } from "../internal/operation.js";

/** `client.directory`: Microsoft Graph lookups of users and service principals, cached per client. */
export interface DirectoryOperations {
  findUser(upnOrObjectId: string, options?: OperationOptions): Promise<DirectoryPrincipal | undefined>;
  findServicePrincipalByAppId(appId: string, options?: OperationOptions): Promise<DirectoryPrincipal | undefined>;
  findByObjectId(objectId: string, options?: OperationOptions): Promise<DirectoryPrincipal | undefined>;
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
