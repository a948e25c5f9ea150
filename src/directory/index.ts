export { DirectoryClient } from "./directory-client.js";
export { isGuid } from "../rules/ids.js";
export type { DirectoryPrincipal, DirectoryLookupOptions as DirectoryOperationOptions, PrincipalKind } from "../azure/graph-directory.js";
export { GRAPH_SCOPE } from "../azure/graph-transport.js";
