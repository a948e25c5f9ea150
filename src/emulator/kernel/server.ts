import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { anonymousCaller, authenticate, bearerToken, type Caller } from "./auth.js";
import { defaultErrorReply, type EmulatorCore, type RegisteredService } from "./core.js";
import type { FaultDecision, FaultTarget } from "./faults.js";
import { EmulatorRequest, ServiceError, type Reply } from "./http.js";

/** The service error code an injected status answers with. */
const statusCodes: Record<number, string> = {
  400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 409: "Conflict", 408: "RequestTimeout", 429: "TooManyRequests", 500: "InternalServerError", 502: "BadGateway",
  503: "ServiceUnavailable", 504: "GatewayTimeout",
};

/** Serves one request, counting it as in flight (Entra token requests aside) until it is answered. */
export async function handleRequest(core: EmulatorCore, raw: IncomingMessage, res: ServerResponse, port: number): Promise<void> {
  const req = new EmulatorRequest(raw, port);
  const target = core.resolve(req);
  if (target) req.hostParams = target.hostParams;
  const counted = target !== undefined && target.service.countsInFlight !== false;
  if (counted) core.requests.enter();
  try {
    await serve(core, req, target, res);
  } finally {
    if (counted) core.requests.leave();
  }
}

/** Resolve the service, apply faults, authenticate, route, answer, log. */
async function serve(core: EmulatorCore, req: EmulatorRequest, target: ReturnType<EmulatorCore["resolve"]>, res: ServerResponse): Promise<void> {
  const started = Date.now();
  const time = core.clock.now().toISOString();
  const raw = req.raw;
  const service = target?.registered;
  let caller: Caller = anonymousCaller(core.tenantId);
  let operation: string | undefined;
  let readOnly = false;
  let fault: string | undefined;
  let reply: Reply;
  let faultTarget: FaultTarget | undefined;
  let served = false;
  const log = (status: number, extra: { fault?: string; serviceStatus?: number } = {}) =>
    core.requests.record({
      time, service: service?.name ?? "unknown", method: req.method, host: req.hostname, path: req.path,
      ...(operation ? { operation } : {}), caller: caller.objectId, status, durationMs: Date.now() - started, ...extra,
      // No answer was sent on a reset or a hang, so no request id.
      ...(status !== 0 ? { requestId: req.requestId } : {}),
    }, { readOnly });
  try {
    if (!service) throw new ServiceError(404, "NotFound", `No emulated service answers at ${req.hostname}.`);
    const match = service.router.match(req.method, req.path);
    if (match === "methodNotAllowed") throw new ServiceError(405, "MethodNotAllowed", `${req.method} is not allowed on ${req.path}.`);
    if (!match) throw new ServiceError(404, "NotFound", `The emulated ${service.name} service has no operation at ${req.method} ${req.path}.`);
    operation = match.route.operation;
    readOnly = match.route.readOnly === true;
    if (match.route.describe) {
      req.logAs = await match.route.describe(req);
      operation = req.logAs.operation ?? operation;
      readOnly = req.logAs.readOnly ?? readOnly;
    }
    // Key Vault's challenge round trip is not a real call: faults skip it (vault-down rules do not).
    const challenge = !match.route.anonymous && !bearerToken(req) && service.definition.challenge !== undefined;
    faultTarget = { service: service.name, method: req.method, path: req.path, challenge, hostLabels: Object.values(target.hostParams), ...(operation ? { operation } : {}) };
    const decision = core.faults.decide(faultTarget);
    if (decision.latencyMs > 0) await sleep(decision.latencyMs);
    if (decision.reset || decision.hang) {
      await dropConnection(raw, decision, log);
      return;
    }
    if (decision.respond) {
      fault = decision.respond.rule;
      throw injectedError(decision.respond);
    }
    if (challenge) {
      reply = service.definition.challenge!(req, core);
    } else {
      if (!match.route.anonymous) caller = authenticate(core, req, service.audiences);
      if (service.definition.throttled) {
        const wait = core.throttle.take(service.name, caller.tenantId);
        if (wait !== undefined) {
          fault = "throttle";
          // Retry-After is whole seconds on the wire: round up so a client that honours it is not refused again.
          const seconds = Math.max(1, Math.ceil(wait));
          throw new ServiceError(429, "TooManyRequests", `Too many requests. Retry after ${seconds} seconds.`, { headers: { "retry-after": String(seconds) } });
        }
      }
      reply = await match.route.handler({ req, params: match.params, caller, core });
      served = true;
    }
  } catch (error) {
    reply = errorReply(service, error, req, core);
  }
  try {
    core.flush();
  } catch (error) {
    served = false;
    reply = errorReply(service, error, req, core);
  }
  if (req.logAs.operation !== undefined) operation = req.logAs.operation;
  if (req.logAs.readOnly !== undefined) readOnly = req.logAs.readOnly;
  if (served && faultTarget) {
    // The service acted and saved its state: a `response` rule now decides what the client gets.
    const decision = core.faults.decide({ ...faultTarget, ...(operation ? { operation } : {}) }, "response");
    if (decision.latencyMs > 0) await sleep(decision.latencyMs);
    if (decision.reset || decision.hang) {
      await dropConnection(raw, decision, log, reply.status);
      return;
    }
    if (decision.respond) {
      const serviceStatus = reply.status;
      reply = errorReply(service, injectedError(decision.respond), req, core);
      send(res, reply, req, service);
      log(reply.status, { fault: decision.respond.rule, serviceStatus });
      return;
    }
  }
  send(res, reply, req, service);
  log(reply.status, fault ? { fault } : {});
}

function injectedError({ status, retryAfterSeconds }: NonNullable<FaultDecision["respond"]>): ServiceError {
  return new ServiceError(status, statusCodes[status] ?? "InjectedFault", `The emulator injected a ${status} fault.`, {
    ...(retryAfterSeconds !== undefined ? { headers: { "retry-after": String(retryAfterSeconds) } } : {}),
  });
}

/**
 * A reset closes the connection now; a hang logs the request at once (so `requests.waitFor` sees
 * it), then keeps the connection open until the client goes away or the rule is released.
 */
async function dropConnection(
  raw: IncomingMessage,
  decision: FaultDecision,
  log: (status: number, extra: { fault?: string; serviceStatus?: number }) => void,
  serviceStatus?: number,
): Promise<void> {
  const extra = serviceStatus !== undefined ? { serviceStatus } : {};
  if (!decision.hang) {
    raw.socket.destroy();
    log(0, { fault: "reset", ...extra });
    return;
  }
  const { hang } = decision;
  log(0, { fault: "hang", ...extra });
  const socket = raw.socket;
  if (!socket.destroyed) {
    let closed!: () => void;
    const gone = new Promise<void>((resolve) => (closed = resolve));
    socket.once("close", closed);
    await Promise.race([hang.released, gone]);
    socket.off("close", closed);
  }
  hang.forget();
  socket.destroy();
}

function errorReply(service: RegisteredService | undefined, error: unknown, req: EmulatorRequest, core: EmulatorCore): Reply {
  const serviceError =
    error instanceof ServiceError
      ? error
      : new ServiceError(500, "InternalServerError", `The emulator failed: ${error instanceof Error ? error.message : String(error)}`);
  const format = service?.definition.errorReply;
  return format ? format(serviceError, req, core) : defaultErrorReply(serviceError);
}

function send(res: ServerResponse, reply: Reply, req: EmulatorRequest, service: RegisteredService | undefined): void {
  const headers: Record<string, string> = {
    "cache-control": "no-cache",
    pragma: "no-cache",
    "x-ms-request-id": req.requestId,
    "x-content-type-options": "nosniff",
    "strict-transport-security": "max-age=31536000;includeSubDomains",
    date: new Date().toUTCString(),
  };
  const clientRequestId = req.header("x-ms-client-request-id") ?? req.header("client-request-id");
  if (clientRequestId) headers["x-ms-client-request-id"] = clientRequestId;
  if (service?.definition.replyHeaders) Object.assign(headers, service.definition.replyHeaders(req));
  let payload: Buffer | undefined;
  if (reply.body !== undefined) {
    if (Buffer.isBuffer(reply.body)) payload = reply.body;
    else if (typeof reply.body === "string") {
      payload = Buffer.from(reply.body);
      headers["content-type"] = "text/plain; charset=utf-8";
    } else {
      payload = Buffer.from(JSON.stringify(reply.body));
      headers["content-type"] = "application/json; charset=utf-8";
    }
  }
  Object.assign(headers, reply.headers);
  // A 204 carries neither body nor length, as Key Vault's purge answer shows.
  if (reply.status !== 204) headers["content-length"] = String(payload?.length ?? 0);
  res.writeHead(reply.status, headers);
  res.end(req.method === "HEAD" ? undefined : payload);
}
