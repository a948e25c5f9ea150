import { randomUUID } from "node:crypto";
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";

/** A service's name as the request log and fault filters show it (`identity`, `arm`, `keyvault`, `graph`, …). */
export type ServiceName = string;

/** The most a request body may hold; Key Vault's own limit is far below it. */
const maxBodyBytes = 4 * 1024 * 1024;

/** An incoming request with the parts every handler needs. The body is read only on demand. */
export class EmulatorRequest {
  readonly method: string;
  readonly url: URL;
  /** Host without port, lower case. */
  readonly hostname: string;
  readonly headers: IncomingHttpHeaders;
  /** Labels the service's host pattern captured, e.g. `{ vault: "contoso" }`; set by the kernel. */
  hostParams: Readonly<Record<string, string>> = {};
  /**
   * Set by a handler whose route is generic (Exchange's InvokeCommand carries the cmdlet in its body):
   * the request log shows this operation (a name, never parameter values) and read-only flag instead of the route's.
   */
  logAs: { operation?: string; readOnly?: boolean } = {};
  /**
   * The service's id of this request: answered as `x-ms-request-id` (and as `request-id` by the
   * services that send that header: Graph, Exchange Online, SharePoint) and kept in the request log,
   * so a client's record of a request id can be matched to the request.
   */
  readonly requestId: string = randomUUID();
  #body: Promise<Buffer> | undefined;

  constructor(readonly raw: IncomingMessage, port: number) {
    this.method = (raw.method ?? "GET").toUpperCase();
    const host = raw.headers.host ?? `localhost:${port}`;
    // A leading `//` (ARM clients put scopes starting with `/` after a `/`) would read as a host.
    this.url = new URL((raw.url ?? "/").replace(/^\/{2,}/, "/"), `https://${host}`);
    this.hostname = this.url.hostname.toLowerCase();
    this.headers = raw.headers;
  }

  get path(): string {
    return this.url.pathname;
  }

  /** The origin the client used, with its port: Key Vault ids must carry it (research §0). */
  get origin(): string {
    return this.url.origin;
  }

  query(name: string): string | null {
    // URLSearchParams decodes `api%2Dversion` as Key Vault sends it.
    for (const [key, value] of this.url.searchParams) if (key.toLowerCase() === name.toLowerCase()) return value;
    return null;
  }

  header(name: string): string | undefined {
    const value = this.headers[name.toLowerCase()];
    return Array.isArray(value) ? value[0] : value;
  }

  body(): Promise<Buffer> {
    this.#body ??= new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      this.raw.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBodyBytes) {
          reject(new ServiceError(413, "RequestEntityTooLarge", "The request body is too large."));
          this.raw.destroy();
          return;
        }
        chunks.push(chunk);
      });
      this.raw.on("end", () => resolve(Buffer.concat(chunks)));
      this.raw.on("error", reject);
    });
    return this.#body;
  }

  /** Parses a JSON body; an empty body is `undefined`, a malformed one a 400 in the service's shape. */
  async json<T = unknown>(): Promise<T | undefined> {
    const buffer = await this.body();
    if (buffer.length === 0) return undefined;
    try {
      return JSON.parse(buffer.toString("utf8")) as T;
    } catch {
      throw new ServiceError(400, "BadParameter", "The request body is not valid JSON.");
    }
  }

  /** Parses an `application/x-www-form-urlencoded` body. */
  async form(): Promise<URLSearchParams> {
    return new URLSearchParams((await this.body()).toString("utf8"));
  }
}

/** What a handler answers. `body` is sent as JSON unless it is a Buffer or a string. */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export function json(body: unknown, status = 200, headers?: Record<string, string>): Reply {
  return headers === undefined ? { status, body } : { status, body, headers };
}

/**
 * An error answered in the shape of the service that raised it. `innerCode` becomes
 * `error.innererror.code` (Key Vault's `AccessDenied`, `ForbiddenByRbac`).
 */
export class ServiceError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: { innerCode?: string; headers?: Record<string, string>; target?: string } = {},
  ) {
    super(message);
    this.name = "ServiceError";
  }
}

/** The `{error:{code,message}}` body shared by ARM, Key Vault and Graph. */
export function errorBody(error: ServiceError): unknown {
  const inner = error.extra.innerCode ? { innererror: { code: error.extra.innerCode } } : {};
  const target = error.extra.target ? { target: error.extra.target } : {};
  return { error: { code: error.code, message: error.message, ...target, ...inner } };
}
