import { EMULATOR_HOSTS } from "../endpoints.js";
import { defineService } from "../kernel/service-definition.js";
import { graphErrorReply } from "./errors.js";
import { routesFor } from "./routes/directory-objects.js";
import { siteRoutesFor } from "./routes/sites.js";

/** Microsoft Graph: the directory reads Customer Key needs (tenant, users, service principals, groups). */
export const graphService = defineService({
  name: "graph",
  hosts: [EMULATOR_HOSTS.graph],
  localPaths: ["v1.0", "beta"],
  audiences: (endpoints) => ["https://graph.microsoft.com", endpoints.graph],
  routes: [...routesFor("v1.0"), ...routesFor("beta"), ...siteRoutesFor("v1.0"), ...siteRoutesFor("beta")],
  errorReply: (error, req) => graphErrorReply(error, req),
  // Graph answers every request with its request id and the caller's client-request-id (or the same id).
  replyHeaders: (req) => ({ "request-id": req.requestId, "client-request-id": req.header("client-request-id") ?? req.requestId }),
});
