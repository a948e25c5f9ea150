export { DirectoryClient, isGuid } from "./directory-client.js";
export type { DirectoryPrincipal, DirectoryOperationOptions, PrincipalKind } from "./directory-client.js";
export { GRAPH_SCOPE } from "./graph-transport.js";
