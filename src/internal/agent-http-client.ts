/**
 * Keeps a user's `https.Agent` (proxy, private CA, the emulator's loopback lookup) off the request
 * object the Azure SDK logs. core-rest-pipeline's `agentPolicy` puts `options.agent` on every
 * request, and its log policy serializes every enumerable property of the request: the agent's
 * live sockets hold the raw text of requests already sent, `Authorization: Bearer …` included,
 * so `AZURE_LOG_LEVEL=info` wrote tokens to the log. Here the agent never enters the pipeline:
 * an HttpClient carries it and hands it to the default Node client at send time only, as a
 * property that JSON.stringify and util.inspect skip, removed again when the send ends.
 */
import { createDefaultHttpClient, type Agent, type HttpClient, type PipelineRequest } from "@azure/core-rest-pipeline";

/** An HttpClient that sends through `inner` (default: core-rest-pipeline's) with `agent`, invisible to loggers. */
export function createAgentHttpClient(agent: Agent, inner: HttpClient = createDefaultHttpClient()): HttpClient {
  return {
    async sendRequest(request: PipelineRequest) {
      // A request's own agent (set by a caller's policy) wins, as agentPolicy lets it.
      const own = Object.prototype.hasOwnProperty.call(request, "agent") && request.agent !== undefined;
      if (own) return inner.sendRequest(request);
      Object.defineProperty(request, "agent", { value: agent, enumerable: false, configurable: true, writable: true });
      try {
        return await inner.sendRequest(request);
      } finally {
        delete (request as { agent?: Agent }).agent;
      }
    },
  };
}

/**
 * Client options with `agent` replaced by an HttpClient that carries it (see above). Options
 * without an agent come back unchanged; a given `httpClient` is kept and wrapped.
 */
export function withLogSafeAgent<T extends { agent?: Agent; httpClient?: HttpClient }>(options: T): Omit<T, "agent"> & { httpClient?: HttpClient } {
  const { agent, ...rest } = options;
  if (!agent) return rest;
  return { ...rest, httpClient: createAgentHttpClient(agent, options.httpClient) };
}
