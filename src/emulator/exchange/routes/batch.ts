import { ServiceError, type Reply } from "../../kernel/http.js";
import type { Route } from "../../kernel/router.js";
import { CMDLETS } from "../cmdlets/index.js";
import { exoErrors } from "../errors.js";
import { exchangeErrorReply } from "../error-reply.js";
import { checkTenant, cmdletInputOf, invoke } from "./invoke-command.js";

/**
 * `POST /adminapi/beta/{tenant}/$batch`: up to 10 InvokeCommand requests (the module flushes at
 * 10), body `{"requests":[{id, method, url, headers, body}]}`, answer `{"responses":[{id, status,
 * headers, body}]}` (research §1.10, shape from CIPP). Each item is run in order and fails alone.
 */

export const MAX_BATCH = 10;

interface BatchItem {
  id?: unknown;
  method?: unknown;
  url?: unknown;
  headers?: Record<string, unknown>;
  body?: unknown;
}

export const batchRoute: Route = {
  method: "POST",
  path: "/adminapi/beta/:tenant/$batch",
  operation: "$batch",
  async handler({ req, params, caller, core }) {
    checkTenant(core, params["tenant"]!);
    const body = (await req.json()) as { requests?: unknown } | undefined;
    const requests = body?.requests;
    if (!Array.isArray(requests) || requests.length === 0) throw exoErrors.badRequest("The batch request must have a non-empty 'requests' array."); // INVENTED text
    if (requests.length > MAX_BATCH) throw exoErrors.badRequest(`A batch can hold at most ${MAX_BATCH} requests; ${requests.length} were sent.`); // INVENTED text
    const names: string[] = [];
    let readOnly = true;
    const responses: unknown[] = [];
    for (const raw of requests as BatchItem[]) {
      const id = typeof raw?.id === "string" || typeof raw?.id === "number" ? String(raw.id) : String(responses.length + 1);
      let reply: Reply;
      let cmdletName = "";
      try {
        if (typeof raw?.url !== "string" || !/\/InvokeCommand(\?|$)/i.test(raw.url)) throw exoErrors.badRequest("Each batch request must POST to InvokeCommand."); // INVENTED text
        if (typeof raw.method === "string" && raw.method.toUpperCase() !== "POST") throw exoErrors.badRequest("Each batch request must use POST."); // INVENTED text
        const input = cmdletInputOf(raw.body);
        const cmdlet = CMDLETS.get(input.name.toLowerCase());
        cmdletName = cmdlet?.name ?? input.name.slice(0, 64).replace(/[^\w-]/g, "?");
        names.push(cmdletName);
        readOnly &&= cmdlet?.readOnly ?? true;
        const headerOf = (name: string) => Object.entries(raw.headers ?? {}).find(([k]) => k.toLowerCase() === name)?.[1];
        const prefer = headerOf("prefer") ?? req.header("prefer");
        const skiptoken = new URL(raw.url, req.origin).searchParams.get("$skiptoken");
        reply = await invoke({ core, caller, tenantSegment: params["tenant"]!, origin: req.origin, prefer: typeof prefer === "string" ? prefer : undefined, skiptoken }, input);
      } catch (error) {
        const serviceError = error instanceof ServiceError ? error : new ServiceError(500, "InternalServerError", error instanceof Error ? error.message : String(error));
        reply = exchangeErrorReply(serviceError, core);
        if (cmdletName) reply.headers = { ...reply.headers, "Cmdlet-Name": cmdletName };
      }
      const bodyOut = Buffer.isBuffer(reply.body) ? null : reply.body ?? null;
      responses.push({ id, status: reply.status, headers: reply.headers ?? {}, body: bodyOut });
    }
    req.logAs = { operation: `$batch(${names.join(",")})`, readOnly };
    return { status: 200, headers: { "content-type": "application/json; charset=utf-8", "odata-version": "4.0" }, body: { responses } };
  },
};
