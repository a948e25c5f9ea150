import { randomUUID } from "node:crypto";
import type { EmulatorCore } from "../kernel/core.js";
import type { Reply, ServiceError } from "../kernel/http.js";
import { ExchangeError } from "./errors.js";

/** The gateway's own type in `innererror.type` (captured). */
const GATEWAY_TYPE = "Microsoft.Exchange.Admin.OData.Core.ODataServiceException";
/** The generic wrapper a cmdlet error's `internalexception` can carry (pfscript), so the text is only in details. */
const DIRECT_INVOKE_TYPE = "Microsoft.Exchange.Management.PSDirectInvoke.DirectInvokeCmdletExecutionException";
/** "A long run of NUL bytes" is the whole body of a 403 (g2o); its length is not recorded. */
const NUL_BODY = Buffer.alloc(256);

const warningsMembers = { "adminapi.warnings@odata.type": "#Collection(String)", "@adminapi.warnings": [] as string[] };

/**
 * An error in Exchange Online's shapes (research wire-shapes §2): 401 and 403 without a JSON
 * body, cmdlet errors as envelope A or B, everything else (throttle, injected faults, unknown
 * path) as an OData error with the same warnings members.
 */
export function exchangeErrorReply(error: ServiceError, core: EmulatorCore, requestId: string = randomUUID()): Reply {
  const headers: Record<string, string> = { "request-id": requestId, "X-CalculatedBETarget": "EMULATOR01MB0001.prod.outlook.com", ...error.extra.headers };
  if (error.status === 401) {
    // INFERRED header: the module reads WWW-Authenticate for claims challenges on a 401.
    headers["www-authenticate"] = `Bearer client_id="00000002-0000-0ff1-ce00-000000000000", trusted_issuers="00000001-0000-0000-c000-000000000000@${core.tenantId}", token_types="app_asserted_user_v1 service_asserted_app_v1", error="invalid_token"`;
    return { status: 401, headers: { ...headers, "content-length": "0" } };
  }
  if (error.status === 403) return { status: 403, headers, body: NUL_BODY };
  if (error instanceof ExchangeError) {
    headers["x-ExceptionType"] = error.exceptionClass.slice(error.exceptionClass.lastIndexOf(".") + 1);
    const message = error.envelope === "A" ? "Invalid Operation" : "Error executing cmdlet";
    const internal = error.envelope === "A" ? { message: error.message, type: error.exceptionClass, stacktrace: "" } : { message: "Error executing cmdlet", type: DIRECT_INVOKE_TYPE, stacktrace: "" };
    return {
      status: error.status,
      headers,
      body: {
        error: {
          code: error.code,
          message,
          details: [{ code: "Client", target: "", message: `${error.errorId}|${error.exceptionClass}|${error.message}` }],
          innererror: { message, type: GATEWAY_TYPE, stacktrace: "", internalexception: internal },
          ...warningsMembers,
        },
      },
    };
  }
  return { status: error.status, headers, body: { error: { code: error.code, message: error.message, ...warningsMembers } } };
}
