/**
 * Keeps a user's `https.Agent` (proxy, private CA, the emulator's loopback lookup) and TLS
 * settings (a client certificate's private key) off the request object the Azure SDK logs.
 * core-rest-pipeline's `agentPolicy` and `tlsPolicy` put `options.agent` and `options.tlsOptions`
 * on every request, and its log policy serializes every enumerable property of the request: the
 * agent's busy sockets hold the raw text of requests in flight, `Authorization: Bearer …`
 * included, and `tlsSettings.key` is the private key itself, so `AZURE_LOG_LEVEL=info` wrote
 * both to the log. Here neither enters the pipeline: an HttpClient carries them and hands them to
 * the default Node client at send time only, as properties that JSON.stringify and util.inspect
 * skip, removed again when the send ends.
 */
import { createDefaultHttpClient, type Agent, type HttpClient, type PipelineRequest, type TlsSettings } from "@azure/core-rest-pipeline";

/** What the HttpClient hands the Node client per request. */
export interface HiddenTransport {
  agent?: Agent;
  tlsSettings?: TlsSettings;
}

function hide(request: PipelineRequest, name: keyof HiddenTransport, value: unknown): boolean {
  // A request's own value (set by a caller's policy) wins, as agentPolicy and tlsPolicy let it.
  if (value === undefined || (request as unknown as Record<string, unknown>)[name] !== undefined) return false;
  Object.defineProperty(request, name, { value, enumerable: false, configurable: true, writable: true });
  return true;
}

/** An HttpClient that sends through `inner` (default: core-rest-pipeline's) with the agent and TLS settings, invisible to loggers. */
export function createAgentHttpClient(transport: Agent | HiddenTransport, inner: HttpClient = createDefaultHttpClient()): HttpClient {
  const { agent, tlsSettings } = "agent" in transport || "tlsSettings" in transport ? (transport as HiddenTransport) : { agent: transport as Agent, tlsSettings: undefined };
  return {
    async sendRequest(request: PipelineRequest) {
      const set = [hide(request, "agent", agent) && "agent", hide(request, "tlsSettings", tlsSettings) && "tlsSettings"].filter(Boolean) as (keyof HiddenTransport)[];
      try {
        return await inner.sendRequest(request);
      } finally {
        for (const name of set) delete (request as unknown as Record<string, unknown>)[name];
      }
    },
  };
}

/**
 * Client options with `agent` and `tlsOptions` moved into an HttpClient that carries them (see
 * above). Options without either come back unchanged; a given `httpClient` is kept and wrapped.
 */
export function withLogSafeAgent<T extends { agent?: Agent; tlsOptions?: TlsSettings; httpClient?: HttpClient }>(options: T): Omit<T, "agent" | "tlsOptions"> & { httpClient?: HttpClient } {
  const { agent, tlsOptions, ...rest } = options;
  if (!agent && !tlsOptions) return rest;
  return { ...rest, httpClient: createAgentHttpClient({ ...(agent ? { agent } : {}), ...(tlsOptions ? { tlsSettings: tlsOptions } : {}) }, options.httpClient) };
}
