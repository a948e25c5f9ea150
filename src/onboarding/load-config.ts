/**
 * Reading the onboarding configuration: JSON or YAML, checked against the schema, every problem
 * reported with its path in the file and how to fix it (ERR_CONFIG_INVALID), before any request.
 */
import { constants as fsConstants } from "node:fs";
import { access, readFile } from "node:fs/promises";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { InvalidInputError } from "../errors.js";
import { onboardingConfigSchema } from "./config-schema.js";
import type { OnboardingConfig } from "./config-types.js";

/** One problem of a configuration. */
export interface ConfigProblem {
  /** Where in the file, e.g. `vaultPairs.exchange.primary.vaultName`. */
  path: string;
  /** What is wrong. */
  message: string;
  /** How to fix it. */
  fix: string;
}

/** The configuration breaks the schema: `problems` lists each one, the message too (`path: message (fix)`). */
export class OnboardingConfigError extends InvalidInputError {
  /** Every problem found. */
  readonly problems: readonly ConfigProblem[];
  /** The file read, when the configuration came from a file. */
  readonly file: string | undefined;

  /** Makes the error from its problems. */
  constructor(problems: ConfigProblem[], file?: string) {
    const where = file ? ` ${file}` : "";
    const lines = problems.map((p) => `  ${p.path}: ${p.message} (${p.fix})`);
    super("ERR_CONFIG_INVALID", `The onboarding configuration${where} has ${problems.length} problem${problems.length === 1 ? "" : "s"}:\n${lines.join("\n")}`, { field: problems[0]?.path });
    this.problems = problems;
    this.file = file;
  }
}

const FIXES: Array<[RegExp, string]> = [
  [/vaultName$/, "use 3–24 letters, digits and single hyphens, starting with a letter, e.g. contoso-exo-eu-a1"],
  [/location$/, "use an ARM region name such as westeurope, and a non-paired region for the secondary vault"],
  [/\.name$/, "use letters, digits, '_' and '-' without spaces, at most 64 characters"],
  [/keyUris/, "give two key URIs https://<vault>.vault.azure.net/keys/<name>, one in each vault"],
  [/mailboxes\.list\[\d+\]$/, "give one mailbox per entry, e.g. user@contoso.com"],
  [/^policies\.exchange$/, "remove policies beyond 50, or reuse one policy for more mailboxes"],
  [/subscriptions/, "give two different subscription ids (GUIDs)"],
  [/^keys\.size$/, "use 2048, 3072 or 4096 (bits; Microsoft requires RSA of at least 2048)"],
  [/administrators/, "list UPNs (name@domain) or object ids"],
  [/backups/, "list at least two directories: one online, one offline copy"],
];

function fixOf(issue: z.core.$ZodIssue, at: string): string {
  if (issue.code === "unrecognized_keys") return "remove it, or check its spelling against the JSON Schema";
  if (issue.code === "invalid_type" && issue.input === undefined) return "add it";
  for (const [pattern, fix] of FIXES) if (pattern.test(at)) return fix;
  if (issue.code === "invalid_value") return `use one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
  if (issue.code === "invalid_type") return `give a ${issue.expected}`;
  return "see the JSON Schema, schema/customer-key.config.schema.json";
}

function pathOf(segments: readonly PropertyKey[]): string {
  let out = "";
  for (const s of segments) out += typeof s === "number" ? `[${s}]` : out ? `.${String(s)}` : String(s);
  return out || "(root)";
}

/** Checks a configuration object; returns it with defaults, or throws OnboardingConfigError. Sends nothing. */
export function parseOnboardingConfig(input: unknown, file?: string): OnboardingConfig {
  const result = onboardingConfigSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.flatMap((issue): ConfigProblem[] => {
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => {
        const at = pathOf([...issue.path, key]);
        return { path: at, message: "unknown field", fix: fixOf(issue, at) };
      });
    }
    const at = pathOf(issue.path);
    return [{ path: at, message: issue.message, fix: fixOf(issue, at) }];
  });
  throw new OnboardingConfigError(problems, file);
}

/** Reads `customer-key.config.json` or `.yaml`/`.yml` and checks it (parseOnboardingConfig). */
export async function loadOnboardingConfig(file: string): Promise<OnboardingConfig> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    throw new OnboardingConfigError([{ path: "(file)", message: `cannot read ${file}: ${(cause as NodeJS.ErrnoException).code ?? "error"}`, fix: "check the path" }], file);
  }
  let data: unknown;
  try {
    data = /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  } catch (cause) {
    throw new OnboardingConfigError([{ path: "(file)", message: `not valid ${/\.ya?ml$/i.test(file) ? "YAML" : "JSON"}: ${syntaxError(cause as Error, text)}`, fix: "fix the syntax" }], file);
  }
  const config = parseOnboardingConfig(data, file);
  // Relative mailbox files and backup directories are relative to the configuration file.
  const base = path.dirname(path.resolve(file));
  config.backups.directories = config.backups.directories.map((d) => path.resolve(base, d));
  for (const p of config.policies.exchange) if (p.mailboxes && "file" in p.mailboxes) p.mailboxes = { file: path.resolve(base, p.mailboxes.file) };
  // A mailbox file that is not there is the configuration's error, found before anything is sent.
  const unreadable: ConfigProblem[] = [];
  for (const [i, p] of config.policies.exchange.entries()) {
    if (!p.mailboxes || !("file" in p.mailboxes)) continue;
    const error = await access(p.mailboxes.file, fsConstants.R_OK).catch((e: NodeJS.ErrnoException) => e);
    if (error) unreadable.push({ path: `policies.exchange[${i}].mailboxes.file`, message: `cannot read ${p.mailboxes.file}: ${error.code ?? "error"}`, fix: "check the path (relative to the configuration file), one mailbox per line" });
  }
  if (unreadable.length) throw new OnboardingConfigError(unreadable, file);
  return config;
}

/** The parser's message, with the line and column of JSON.parse's character position. */
function syntaxError(error: Error, text: string): string {
  const message = error.message.split("\n")[0]!;
  const position = /at position (\d+)/.exec(message);
  if (!position) return message;
  const before = text.slice(0, Number(position[1]));
  const line = before.split("\n").length;
  return `${message} (line ${line}, column ${before.length - before.lastIndexOf("\n")})`;
}
