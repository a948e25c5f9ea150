/**
 * The last link of the Graph client's middleware chain. `@microsoft/microsoft-graph-client` sends
 * with global fetch, which ignores the `https.Agent` (trust, proxy, the emulator's loopback
 * lookup) that the user passed in the pipeline options. So requests go through
 * `@azure/core-rest-pipeline` instead: the same pipeline options as every Azure client (agent,
 * TLS, proxy, user agent), bearer tokens from the same TokenCredential, retries left to withRetry.
 */
import { Client, type Middleware } from "@microsoft/microsoft-graph-client";
import {
  bearerTokenAuthenticationPolicy,
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
  type HttpClient,
  type HttpMethods,
  type Pipeline,
} from "@azure/core-rest-pipeline";
import type { ClientContext } from "../internal/context.js";

export const GRAPH_SCOPE = "https://graph.microsoft.com/.default";

interface GraphMiddlewareContext {
  request: unknown;
  options?: { method?: string; headers?: unknown; body?: unknown; signal?: AbortSignal | null };
  response?: unknown;
}

/** Sends the Graph client's requests through an Azure pipeline. */
export class PipelineGraphHandler implements Middleware {
  readonly #pipeline: Pipeline;
  readonly #httpClient: HttpClient;

  constructor(context: ClientContext, scope = GRAPH_SCOPE) {
    const { httpClient: _sender, ...pipelineOptions } = context.pipelineOptions;
    this.#pipeline = createPipelineFromOptions(pipelineOptions);
    this.#pipeline.addPolicy(bearerTokenAuthenticationPolicy({ credential: context.credential, scopes: scope }));
    // The context's httpClient carries the user's agent (never put on the logged request).
    this.#httpClient = context.pipelineOptions.httpClient ?? createDefaultHttpClient();
  }

  async execute(context: Parameters<Middleware["execute"]>[0]): Promise<void> {
    const ctx = context as unknown as GraphMiddlewareContext;
    const url = typeof ctx.request === "string" ? ctx.request : (ctx.request as { url: string }).url;
    const options = ctx.options ?? {};
    const request = createPipelineRequest({
      url,
      method: (options.method ?? "GET").toUpperCase() as HttpMethods,
      headers: createHttpHeaders(plainHeaders(options.headers)),
      ...(options.signal ? { abortSignal: options.signal } : {}),
    });
    if (typeof options.body === "string") request.body = options.body;
    let response;
    try {
      response = await this.#pipeline.sendRequest(this.#httpClient, request);
    } catch (error) {
      // The Graph client keeps only an error's `name` (as GraphError.code, status -1): carry the
      // network code there so that the retry layer can tell a reset from a bug.
      const e = error as { code?: string; message?: string };
      throw Object.assign(new Error(e.message ?? "Graph request failed"), { name: e.code ?? "REQUEST_SEND_ERROR" });
    }
    const noBody = response.status === 204 || response.status === 304;
    ctx.response = new Response(noBody ? null : (response.bodyAsText ?? ""), {
      status: response.status,
      headers: response.headers.toJSON(),
    });
  }
}

function plainHeaders(headers: unknown): Record<string, string> {
  if (!headers) return {};
  if (typeof (headers as { forEach?: unknown }).forEach === "function" && !Array.isArray(headers)) {
    const out: Record<string, string> = {};
    (headers as { forEach(cb: (v: string, k: string) => void): void }).forEach((v, k) => (out[k] = v));
    return out;
  }
  if (Array.isArray(headers)) return Object.fromEntries(headers as [string, string][]);
  return { ...(headers as Record<string, string>) };
}

/** A Graph client bound to the context's credential, endpoint and pipeline options. */
export function createGraphClient(context: ClientContext): Client {
  return Client.initWithMiddleware({
    middleware: new PipelineGraphHandler(context),
    baseUrl: `${context.graphEndpoint}/`,
    defaultVersion: "v1.0",
  });
}

/**
 * Runs a Graph client call, turning its "no response" GraphError (status -1) into a plain error
 * with the network code, which the retry layer treats as transient.
 */
export async function graphCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const e = error as { statusCode?: number; code?: string | null; message?: string };
    if (e?.statusCode === -1) throw Object.assign(new Error(e.message ?? "Graph request failed"), { code: e.code ?? "REQUEST_SEND_ERROR" });
    throw error;
  }
}
