import type { Caller } from "../../kernel/auth.js";
import type { EmulatorCore } from "../../kernel/core.js";
import { READ_ONLY_ROLES } from "../../kernel/directory.js";
import { ServiceError, type Reply } from "../../kernel/http.js";
import type { Route } from "../../kernel/router.js";
import { CMDLETS } from "../cmdlets/index.js";
import { CmdletParameters } from "../cmdlets/context.js";
import { exoErrors } from "../errors.js";
import { pageSizeOf, saveCursor, takeCursor } from "../paging.js";

/** `POST /adminapi/beta/{tenant}/InvokeCommand` (research m365-endpoints §1.2–1.7). */

/** The success envelope's Content-Type, as captured (burp). */
export const ODATA_CONTENT_TYPE = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

/** What one invocation needs besides its body (shared with `$batch`). */
export interface Invocation {
  core: EmulatorCore;
  caller: Caller;
  /** The tenant segment as the client sent it: `@odata.context` and `nextLink` echo it. */
  tenantSegment: string;
  origin: string;
  prefer: string | undefined;
  skiptoken: string | null;
}

/** A refusal the gateway answers without a JSON body (research wire-shapes §2.1). */
export const forbidden = () => new ServiceError(403, "Forbidden", "The caller's role does not allow this cmdlet, or the cmdlet does not exist.");

/** The tenant segment: the tenant GUID or one of its domains (only the default domain here). */
export function checkTenant(core: EmulatorCore, segment: string): void {
  const s = segment.toLowerCase();
  if (s !== core.tenantId.toLowerCase() && s !== core.directory.defaultDomain.toLowerCase()) {
    throw exoErrors.badRequest(`The tenant '${segment}' in the request URL is not the tenant of the access token.`); // INVENTED text
  }
}

/** Reads `{"CmdletInput":{"CmdletName","Parameters"}}` and names the cmdlet (before any other check, for the request log). */
export function cmdletInputOf(body: unknown): { name: string; parameters: unknown } {
  const input = (body as { CmdletInput?: { CmdletName?: unknown; Parameters?: unknown } } | undefined)?.CmdletInput;
  if (typeof input !== "object" || input === null || typeof input.CmdletName !== "string" || input.CmdletName === "") {
    throw exoErrors.badRequest("The request body must be {\"CmdletInput\":{\"CmdletName\":\"<cmdlet>\",\"Parameters\":{...}}}."); // INVENTED text
  }
  return { name: input.CmdletName, parameters: input.Parameters };
}

/** Runs one cmdlet and answers one page of its result. */
export async function invoke(inv: Invocation, input: { name: string; parameters: unknown }): Promise<Reply> {
  const cmdlet = CMDLETS.get(input.name.toLowerCase());
  // The gateway gives an unknown cmdlet the same body-less 403 as a missing role (g2o).
  if (!cmdlet) throw forbidden();
  const roles = cmdlet.readOnly ? [...cmdlet.roles, ...READ_ONLY_ROLES] : cmdlet.roles;
  if (!inv.core.directory.hasDirectoryRole(inv.caller.objectId, roles)) throw forbidden();
  const params = new CmdletParameters(input.parameters);
  params.allowOnly(cmdlet.parameters);
  const context = `${inv.origin}/adminapi/beta/${inv.tenantSegment}/$metadata#Collection(Exchange.GenericHashTable)`;
  if (!cmdlet.readOnly && params.boolean("Confirm") === true) {
    // The module's validation call: the server describes the action and does nothing (research §1.5).
    return envelope(context, [], [], undefined, { "@adminapi.confirmationmessage": `Are you sure you want to perform this action? ${cmdlet.name}` });
  }
  const continuation = inv.skiptoken !== null ? takeCursor(inv.core, inv.skiptoken, cmdlet.name) : undefined;
  const result = await cmdlet.run({ core: inv.core, caller: inv.caller, params });
  const from = continuation?.offset ?? 0;
  const to = Math.min(result.count, from + pageSizeOf(inv.prefer));
  const value = result.slice(from, to);
  let nextLink: string | undefined;
  if (to < result.count) {
    const token = saveCursor(inv.core, { cmdlet: cmdlet.name, offset: to });
    nextLink = `${inv.origin}/adminapi/beta/${inv.tenantSegment}/InvokeCommand?%24skiptoken=${token}`;
  }
  return envelope(context, value, result.warnings ?? [], nextLink);
}

/** The success body in the captured member order: context, nextLink, warnings annotation, warnings, value. */
function envelope(context: string, value: unknown[], warnings: string[], nextLink?: string, extra: Record<string, unknown> = {}): Reply {
  return {
    status: 200,
    headers: { "content-type": ODATA_CONTENT_TYPE, "odata-version": "4.0" },
    body: {
      "@odata.context": context,
      ...(nextLink ? { "@odata.nextLink": nextLink } : {}),
      "adminapi.warnings@odata.type": "#Collection(String)",
      "@adminapi.warnings": warnings,
      ...extra,
      value,
    },
  };
}

export const invokeCommandRoute: Route = {
  method: "POST",
  path: "/adminapi/beta/:tenant/InvokeCommand",
  operation: "InvokeCommand",
  // The log and fault rules see the cmdlet's name (never its parameters), as the service knows it.
  async describe(req) {
    try {
      const input = cmdletInputOf(await req.json());
      const cmdlet = CMDLETS.get(input.name.toLowerCase());
      return { operation: cmdlet?.name ?? input.name.slice(0, 64).replace(/[^\w-]/g, "?"), readOnly: cmdlet?.readOnly ?? true };
    } catch {
      return {};
    }
  },
  async handler({ req, params, caller, core }) {
    const input = cmdletInputOf(await req.json());
    checkTenant(core, params["tenant"]!);
    return invoke({ core, caller, tenantSegment: params["tenant"]!, origin: req.origin, prefer: req.header("prefer"), skiptoken: req.query("$skiptoken") }, input);
  },
};
