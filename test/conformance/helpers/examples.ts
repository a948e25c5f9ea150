/**
 * Replays x-ms-examples of an Azure swagger against the emulator: builds the request from the
 * operation's path template and the example's parameters, and names the swagger definition
 * each response status must match.
 */
import { readFileSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";

interface SwaggerParameter {
  name?: string;
  in?: string;
  $ref?: string;
}
interface SwaggerOperation {
  operationId: string;
  parameters?: SwaggerParameter[];
  responses: Record<string, { schema?: { $ref?: string } }>;
}
interface Swagger {
  paths: Record<string, Record<string, SwaggerOperation | SwaggerParameter[]>>;
  parameters?: Record<string, SwaggerParameter>;
}

export interface Example {
  parameters: Record<string, unknown>;
  responses: Record<string, { body?: unknown; headers?: Record<string, string> }>;
}

export interface ExampleRequest {
  method: string;
  /** Path and query, relative to the ARM endpoint. */
  path: string;
  body?: unknown;
  /** Status codes the example lists. */
  statuses: number[];
  operation: SwaggerOperation;
}

export const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, "utf8")) as T;

/** The operation of a swagger by operationId, with its method and path template. */
export function findOperation(specPath: string, operationId: string): { method: string; template: string; operation: SwaggerOperation } {
  const spec = readJson<Swagger>(specPath);
  for (const [template, methods] of Object.entries(spec.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      if (method !== "parameters" && (operation as SwaggerOperation).operationId === operationId) {
        return { method: method.toUpperCase(), template, operation: operation as SwaggerOperation };
      }
    }
  }
  throw new Error(`${specPath} has no operation ${operationId}.`);
}

/**
 * The request an example describes. `overrides` replaces parameter values (the emulator's
 * subscription id, say); `api-version` and other query parameters come from the example.
 */
export function exampleRequest(specPath: string, operationId: string, example: Example, overrides: Record<string, unknown> = {}): ExampleRequest {
  const { method, template, operation } = findOperation(specPath, operationId);
  const spec = readJson<Swagger>(specPath);
  const params = { ...example.parameters, ...overrides };
  const resolved = (operation.parameters ?? []).map((p) => (p.$ref?.startsWith("#/parameters/") ? (spec.parameters?.[p.$ref.slice(13)] ?? p) : p));
  const path = template.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(String(params[name])));
  const query = new URLSearchParams();
  const inQuery = new Set(resolved.filter((p) => p.in === "query").map((p) => p.name));
  inQuery.add("api-version");
  for (const name of inQuery) if (name && params[name] !== undefined) query.set(name, String(params[name]));
  const bodyParameter = resolved.find((p) => p.in === "body")?.name;
  return {
    method,
    path: `${path}?${query.toString()}`,
    ...(bodyParameter && params[bodyParameter] !== undefined ? { body: params[bodyParameter] } : {}),
    statuses: Object.keys(example.responses).map(Number),
    operation,
  };
}

/**
 * The definition a response status must match, in validateAgainstSwagger's naming
 * (`Vault`, `common.json#CloudError`), or undefined when the status has no body.
 */
export function responseDefinition(specPath: string, operation: SwaggerOperation, status: number): string | undefined {
  const response = operation.responses[String(status)] ?? operation.responses["default"];
  const ref = response?.schema?.$ref;
  if (!ref) return undefined;
  const [file, pointer = ""] = ref.split("#");
  const name = pointer.replace(/^\/definitions\//, "");
  if (!file) return name;
  return `${basename(resolve(dirname(specPath), file))}#${name}`;
}

/** A deep copy with every `tenantId` value replaced (examples use the zero GUID). */
export function withTenant<T>(value: T, tenantId: string): T {
  return JSON.parse(JSON.stringify(value), (key, v: unknown) => (key === "tenantId" && typeof v === "string" ? tenantId : v)) as T;
}
