/**
 * Validates response bodies against the definitions of an Azure swagger (OpenAPI 2) file with
 * ajv. `$ref`s into the same file, sibling files (`common.json#/…`) and farther files
 * (`../../../../../common-types/…`) are resolved from disk; a file that is not present is
 * treated as `{}` (anything goes), because the specs under shared/specs are partial copies.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import AjvModule, { type ErrorObject, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type AjvInstance = import("ajv").default;

// ajv and ajv-formats are CommonJS with a `default` property; take whichever the loader gives.
const Ajv = ((AjvModule as unknown as { default?: unknown }).default ?? AjvModule) as typeof import("ajv").default;
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as unknown as (ajv: AjvInstance) => void;

/** Swagger formats that JSON Schema does not know: accepted as they come. */
const lenientFormats = [
  "int32", "int64", "float", "double", "byte", "binary", "password", "unixtime", "duration", "arm-id",
  "base64url", "date-time-rfc1123", "date-time-rfc7231", "char", "decimal", "uri-template",
];

export interface SwaggerValidationResult {
  valid: boolean;
  /** Readable problems: `path: message`. */
  errors: string[];
}

export interface SwaggerValidationOptions {
  /**
   * Enforce enums marked `x-ms-enum.modelAsString` (extensible on the wire). Default false:
   * such values may be any string, as clients must accept.
   */
  strictExtensibleEnums?: boolean;
}

const ajvCache = new Map<string, { ajv: AjvInstance; validators: Map<string, ValidateFunction> }>();

/**
 * Validates `body` against `definitions[definitionName]` of the swagger at `specPath`.
 * `definitionName` may name a definition of a file the spec refers to: `"common.json#CloudError"`.
 */
export function validateAgainstSwagger(
  specPath: string,
  definitionName: string,
  body: unknown,
  options: SwaggerValidationOptions = {},
): SwaggerValidationResult {
  const absolute = resolve(specPath);
  const cacheKey = `${absolute}|${options.strictExtensibleEnums ? "strict" : "lenient"}`;
  let entry = ajvCache.get(cacheKey);
  if (!entry) {
    entry = { ajv: buildAjv(absolute, options), validators: new Map() };
    ajvCache.set(cacheKey, entry);
  }
  let validate = entry.validators.get(definitionName);
  if (!validate) {
    // "Name" is a definition of the spec; "common.json#Name" one of a file the spec refers to.
    const [file, name] = definitionName.includes("#") ? (definitionName.split("#") as [string, string]) : ["", definitionName];
    const path = file ? resolve(dirname(absolute), file) : absolute;
    const doc = JSON.parse(readFileSync(path, "utf8")) as { definitions?: Record<string, unknown> };
    if (!doc.definitions?.[name]) throw new Error(`${path} has no definition '${name}'.`);
    validate = entry.ajv.compile({ $ref: `${fileId(path)}#/definitions/${escapePointer(name)}` });
    entry.validators.set(definitionName, validate);
  }
  const valid = validate(body) as boolean;
  return { valid, errors: valid ? [] : (validate.errors ?? []).map(describe) };
}

/** Throws with every problem listed when the body does not match. */
export function assertMatchesSwagger(specPath: string, definitionName: string, body: unknown, options?: SwaggerValidationOptions): void {
  const result = validateAgainstSwagger(specPath, definitionName, body, options);
  if (!result.valid) {
    throw new Error(`Body does not match ${definitionName} of ${specPath}:\n  ${result.errors.join("\n  ")}\nBody: ${JSON.stringify(body).slice(0, 2000)}`);
  }
}

function describe(error: ErrorObject): string {
  const where = error.instancePath || "(root)";
  const extra = error.params && Object.keys(error.params).length ? ` ${JSON.stringify(error.params)}` : "";
  return `${where}: ${error.message ?? error.keyword}${extra}`;
}

function escapePointer(name: string): string {
  return name.replace(/~/g, "~0").replace(/\//g, "~1");
}

function fileId(path: string): string {
  return pathToFileURL(path).href;
}

/** Loads the spec and every file it reaches through `$ref`, each as an ajv schema keyed by its file URL. */
function buildAjv(entryPath: string, options: SwaggerValidationOptions): AjvInstance {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true, discriminator: false });
  addFormats(ajv);
  for (const format of lenientFormats) ajv.addFormat(format, true);
  const pending = [entryPath];
  const loaded = new Set<string>();
  while (pending.length > 0) {
    const path = pending.pop()!;
    if (loaded.has(path)) continue;
    loaded.add(path);
    const doc = JSON.parse(readFileSync(path, "utf8")) as Json;
    const prepared = prepare(doc, path, options, (other) => {
      if (!loaded.has(other)) pending.push(other);
    });
    // Only what $refs reach is needed; the rest of a swagger (paths, parameters) is plain data.
    ajv.addSchema({ $id: fileId(path), definitions: (prepared as Record<string, Json>)["definitions"] ?? {} } as object);
  }
  return ajv;
}

/**
 * Rewrites a swagger document into JSON Schema ajv accepts: file `$ref`s become absolute URLs
 * (or `{}` when the file is missing), `x-nullable` admits null, extensible enums are relaxed.
 */
function prepare(node: Json, filePath: string, options: SwaggerValidationOptions, reach: (path: string) => void): Json {
  if (Array.isArray(node)) return node.map((n) => prepare(n, filePath, options, reach));
  if (node === null || typeof node !== "object") return node;
  const ref = node["$ref"];
  if (typeof ref === "string") {
    const [file, pointer = ""] = ref.split("#");
    if (!file) return { $ref: `${fileId(filePath)}#${pointer}` };
    const target = resolve(dirname(filePath), file);
    if (!existsSync(target)) return {};
    reach(target);
    return { $ref: `${fileId(target)}#${pointer}` };
  }
  const out: Record<string, Json> = {};
  for (const [key, value] of Object.entries(node)) {
    // `properties` maps names to schemas; keep its keys as they are.
    out[key] = key === "properties" && value && typeof value === "object" && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, prepare(v, filePath, options, reach)]))
      : prepare(value, filePath, options, reach);
  }
  const enumExtension = out["x-ms-enum"] as { modelAsString?: boolean } | undefined;
  if (Array.isArray(out["enum"]) && enumExtension?.modelAsString && !options.strictExtensibleEnums) delete out["enum"];
  if (out["x-nullable"] === true && typeof out["type"] === "string") out["type"] = [out["type"], "null"];
  if (out["x-nullable"] === true && Array.isArray(out["enum"])) out["enum"] = [...out["enum"], null];
  // Swagger 2's `discriminator` is a property name, not JSON Schema; the subtypes are not needed here.
  if (typeof out["discriminator"] === "string") delete out["discriminator"];
  if (out["type"] === "file") delete out["type"];
  return out;
}
