/** client.directory: the Graph lookups of the client, answered from its shared directory cache. */
import type { DirectoryLookupOptions, DirectoryPrincipal, GraphDirectory } from "../azure/graph-directory.js";

export class DirectoryClient {
  readonly #graph: GraphDirectory;

  constructor(graph: GraphDirectory) {
    this.#graph = graph;
  }

  findUser(upnOrObjectId: string, options: DirectoryLookupOptions = {}): Promise<DirectoryPrincipal | undefined> {
    return this.#graph.findUser(upnOrObjectId, options);
  }

  findServicePrincipalByAppId(appId: string, options: DirectoryLookupOptions = {}): Promise<DirectoryPrincipal | undefined> {
    return this.#graph.findServicePrincipalByAppId(appId, options);
  }

  findByObjectId(objectId: string, options: DirectoryLookupOptions = {}): Promise<DirectoryPrincipal | undefined> {
    return this.#graph.findByObjectId(objectId, options);
  }

  resolve(principal: string, options: DirectoryLookupOptions = {}): Promise<DirectoryPrincipal | undefined> {
    return this.#graph.resolve(principal, options);
  }
}
