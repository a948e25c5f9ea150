import { randomUUID } from "node:crypto";
import { ServiceError, type Reply } from "../kernel/http.js";

/**
 * Entra ID: OpenID metadata, signing keys and the token endpoint (client credentials and the
 * username/password grant). Errors use the AADSTS body shape of the real endpoint.
 */
export class AadError extends ServiceError {
  constructor(status: number, error: string, readonly aadsts: number, description: string) {
    super(status, error, `AADSTS${aadsts}: ${description}`);
  }
}

/** Entra's error body: `{error, error_description, error_codes, trace_id, correlation_id, …}`. */
export function aadErrorReply(error: ServiceError): Reply {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date().toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z");
  const code = error instanceof AadError ? error.aadsts : 50000;
  return {
    status: error.status,
    body: {
      error: error.code,
      error_description: `${error.message}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    },
  };
}

