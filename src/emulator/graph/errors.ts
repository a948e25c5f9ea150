import { ServiceError, type EmulatorRequest, type Reply } from "../kernel/http.js";

/** Graph's 404 for an object that does not exist. */
export const notFound = (id: string) =>
  new ServiceError(404, "Request_ResourceNotFound", `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);

/** Graph's error body: `{error:{code,message,innerError:{date,request-id,client-request-id}}}`. */
export function graphErrorReply(error: ServiceError, req: EmulatorRequest): Reply {
  const requestId = req.requestId;
  return {
    status: error.status,
    body: {
      error: {
        code: error.code,
        message: error.message,
        innerError: {
          date: new Date().toISOString().replace(/\.\d{3}Z$/, ""),
          "request-id": requestId,
          "client-request-id": req.header("client-request-id") ?? requestId,
        },
      },
    },
    headers: { "request-id": requestId, ...error.extra.headers },
  };
}

