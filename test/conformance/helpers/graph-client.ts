/**
 * A Microsoft Graph client (@microsoft/microsoft-graph-client 3) wired to the emulator. The
 * client sends through global fetch (undici), which takes no https.Agent; so the last
 * middleware of the chain sends with node:https and the emulator's agent (CA trust + loopback
 * DNS), TLS verification on. `customHosts` makes the AuthenticationHandler attach the token to
 * a host that is not graph.microsoft.com.
 */
import { request, type Agent } from "node:https";
import type { TokenCredential } from "@azure/core-auth";
import { AuthenticationHandler, Client, type Context, type Middleware } from "@microsoft/microsoft-graph-client";

/** The terminal middleware: sends the request with node:https through `agent`. */
export class NodeHttpsHandler implements Middleware {
  constructor(private readonly agent: Agent) {}

  async execute(context: Context): Promise<void> {
    const url = typeof context.request === "string" ? context.request : context.request.url;
    const options = context.options ?? {};
    const headers: Record<string, string> = {};
    new Headers(options.headers as ConstructorParameters<typeof Headers>[0]).forEach((value, key) => (headers[key] = value));
    const body = options.body === undefined || options.body === null ? undefined : Buffer.from(options.body as string | Uint8Array);
    if (body) headers["content-length"] = String(body.length);
    context.response = await new Promise<Response>((resolve, reject) => {
      const req = request(url, { method: options.method ?? "GET", headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", reject);
        res.on("end", () => {
          const responseHeaders = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) responseHeaders.set(k, Array.isArray(v) ? v.join(", ") : v);
          const status = res.statusCode ?? 500;
          const payload = status === 204 || status === 304 ? null : Buffer.concat(chunks);
          resolve(new Response(payload, { status, headers: responseHeaders }));
        });
      });
      req.on("error", reject);
      req.end(body);
    });
  }
}

/** A Graph client for `graphEndpoint` (e.g. `https://graph.localhost:PORT`) authenticating with `credential`. */
export function graphClient(graphEndpoint: string, credential: TokenCredential, agent: Agent): Client {
  const authProvider = {
    getAccessToken: async () => (await credential.getToken("https://graph.microsoft.com/.default"))!.token,
  };
  return Client.initWithMiddleware({
    middleware: [new AuthenticationHandler(authProvider), new NodeHttpsHandler(agent)],
    baseUrl: `${graphEndpoint}/`,
    customHosts: new Set([new URL(graphEndpoint).hostname]),
    defaultVersion: "v1.0",
  });
}
