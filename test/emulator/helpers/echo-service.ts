import { json, ServiceError } from "../../../src/emulator/kernel/http.js";
import { defineService } from "../../../src/emulator/kernel/service-definition.js";

/** The state the echo service keeps in the state file under `echo`. */
export interface EchoState {
  messages: { text: string; from: string; tenant?: string }[];
}

/** The audience the echo service accepts; any other token is refused. */
export const ECHO_AUDIENCE = "api://customer-key-echo";

/**
 * A test-only service, defined outside src/emulator: it proves a service is a definition and
 * nothing in the kernel. It answers on `echo.localhost` and on a host pattern that captures a
 * label, the way SharePoint's `{tenant}-admin.sharepoint.localhost` will.
 */
export const echoService = defineService<EchoState>({
  name: "echo",
  hosts: ["echo.localhost", "{tenant}-admin.echo.localhost"],
  localPaths: ["echo"],
  audiences: () => [ECHO_AUDIENCE],
  state: { key: "echo", empty: () => ({ messages: [] }) },
  routes: [
    {
      method: "POST",
      path: "/messages",
      operation: "Echo_Post",
      handler: async (ctx) => {
        const text = (await ctx.req.body()).toString("utf8");
        if (!text) throw new ServiceError(400, "EmptyMessage", "The message is empty.");
        const tenant = ctx.req.hostParams["tenant"];
        const message = { text, from: ctx.caller.objectId, ...(tenant ? { tenant } : {}) };
        ctx.core.serviceState<EchoState>("echo").messages.push(message);
        ctx.core.changed();
        return json(message, 201);
      },
    },
    {
      method: "GET",
      path: "/messages",
      operation: "Echo_List",
      handler: (ctx) => json({ value: ctx.core.serviceState<EchoState>("echo").messages, host: ctx.req.hostParams }),
    },
  ],
});
