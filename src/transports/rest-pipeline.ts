/**
 * What the two REST transports share: one `@azure/core-rest-pipeline` pipeline per token scope
 * (the user's agent, TLS, proxy and user agent, as every Azure client of the SDK gets them, with
 * the pipeline's own retries off because withRetry does them), a JSON POST that answers whatever
 * status came back, and the rule for when a call that changes something may be sent again.
 */
import type { TokenCredential } from "@azure/core-auth";
import {
  bearerTokenAuthenticationPolicy,
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
  type HttpClient,
  type Pipeline,
  type PipelineOptions,
  type PipelinePolicy,
} from "@azure/core-rest-pipeline";
import type { OperationTracingOptions } from "@azure/core-tracing";
import { InvalidInputError, isCustomerKeyError } from "../errors.js";
import { statusOf } from "../internal/service-errors.js";
import { PACKAGE_VERSION } from "../internal/version.js";

/**
 * The pipeline options a transport passes on: `@azure/core-rest-pipeline`'s (agent, TLS, proxy,
 * user agent, logging) but retries, which withRetry does, plus `additionalPolicies` as Azure SDK
 * clients take them.
 */
export interface TransportPipelineOptions extends Omit<PipelineOptions, "retryOptions"> {
  /**
   * Policies added to the pipeline: `perCall` ones before the token is added, `perRetry` ones after
   * it. Retries happen outside the pipeline (withRetry), so both see every attempt. Default none.
   */
  additionalPolicies?: { policy: PipelinePolicy; position: "perCall" | "perRetry" }[];
}

/** One HTTP answer, any status. */
export interface HttpReply {
  status: number;
  headers: { get(name: string): string | undefined };
  /** The body as text; `""` when there is none. */
  text: string;
}

/** Sends JSON POSTs with bearer tokens for one scope. */
export class JsonPoster {
  readonly #pipeline: Pipeline;
  readonly #httpClient: HttpClient;

  constructor(credential: TokenCredential, scope: string, options: TransportPipelineOptions) {
    const userAgentPrefix = [options.userAgentOptions?.userAgentPrefix, `customer-key/${PACKAGE_VERSION}`].filter(Boolean).join(" ");
    const { additionalPolicies, ...pipelineOptions } = options;
    this.#pipeline = createPipelineFromOptions({ ...pipelineOptions, userAgentOptions: { ...options.userAgentOptions, userAgentPrefix }, retryOptions: { maxRetries: 0 } });
    this.#pipeline.addPolicy(bearerTokenAuthenticationPolicy({ credential, scopes: scope }));
    // As @azure/core-client places them.
    for (const { policy, position } of additionalPolicies ?? []) this.#pipeline.addPolicy(policy, position === "perRetry" ? { afterPhase: "Sign" } : {});
    this.#httpClient = createDefaultHttpClient();
  }

  /** POSTs `body` as JSON and answers the reply whatever its status; throws only when nothing came back. */
  async post(
    url: string,
    body: unknown,
    headers: Record<string, string>,
    options: { abortSignal?: AbortSignal | undefined; tracingOptions?: OperationTracingOptions | undefined } = {},
  ): Promise<HttpReply> {
    const request = createPipelineRequest({
      url,
      method: "POST",
      headers: createHttpHeaders({ accept: "application/json", "content-type": "application/json", ...headers }),
      ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
      ...(options.tracingOptions ? { tracingOptions: options.tracingOptions } : {}),
    });
    request.body = JSON.stringify(body);
    const response = await this.#pipeline.sendRequest(this.#httpClient, request);
    return { status: response.status, headers: { get: (name) => response.headers.get(name) }, text: response.bodyAsText ?? "" };
  }
}

/** Network failures that happen before a request leaves the machine: the service never saw it. */
const notSentCodes = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "UND_ERR_CONNECT_TIMEOUT"]);

/**
 * True when a failed call certainly did not run on the service: throttled (429), unavailable
 * (503, answered by the front end before any processing), or a connection that never opened. A call that changes
 * something is retried only then: after a 500, a 504 or a reset connection it may have run, and
 * sending it again would turn a success into "already exists" or repeat a change nobody asked twice.
 */
export function didNotRun(error: unknown): boolean {
  const status = statusOf(error);
  if (status === 429 || status === 503) return true;
  if (status !== undefined || isCustomerKeyError(error)) return false;
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === "string" && notSentCodes.has(code);
}

/** Parses a body as JSON; `undefined` when it is empty or not JSON (a 403's NUL bytes, an HTML page). */
export function jsonOf(text: string): unknown {
  if (text.trim() === "" || text.charCodeAt(0) === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The cause a typed error keeps of a failed reply: status and `Retry-After` (read by withRetry's
 * back-off through `retryAfterMs`), never the request or its headers (they hold the token).
 */
export function replyCause(reply: HttpReply, text: string): Error {
  const retryAfter = reply.headers.get("retry-after");
  return Object.assign(new Error(text), {
    statusCode: reply.status,
    ...(retryAfter !== undefined ? { response: { headers: { "retry-after": retryAfter } } } : {}),
  });
}

/** The origin of an https URL option, or InvalidInputError. */
export function httpsOrigin(value: unknown, field: string): URL {
  let url: URL | undefined;
  try {
    url = typeof value === "string" ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || url.protocol !== "https:" || url.username !== "" || url.password !== "") {
    throw new InvalidInputError("ERR_TRANSPORT_OPTIONS_INVALID", `${field} must be an https URL, got '${String(value).slice(0, 120)}'.`, { field });
  }
  return new URL(url.origin);
}
