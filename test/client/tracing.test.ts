/**
 * The operation pipeline (src/internal/operation.ts): one span per public operation, named after
 * it, through @azure/core-tracing's global instrumenter (what @azure/opentelemetry-instrumentation-azure-sdk
 * installs), with the error status on failure, and one verbose log line per operation.
 */
import { readFileSync } from "node:fs";
import { useInstrumenter, type Instrumenter, type InstrumenterSpanOptions, type SpanStatus, type TracingContext } from "@azure/core-tracing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import type { CustomerKeyLogger } from "../../src/index.js";
import { PACKAGE_VERSION } from "../../src/internal/version.js";
import { clientFor, pairSpec } from "./client-fixtures.js";

/** An immutable context, as the Instrumenter contract asks (core-tracing keeps its own one private). */
function createTracingContext(options: { parentContext?: TracingContext; span?: unknown } = {}): TracingContext {
  const make = (values: Map<symbol, unknown>): TracingContext => ({
    setValue: (key, value) => make(new Map(values).set(key, value)),
    getValue: (key) => values.get(key),
    deleteValue: (key) => {
      const next = new Map(values);
      next.delete(key);
      return make(next);
    },
  });
  const base = new Map<symbol, unknown>();
  // Keep the parent's values reachable, the way a real context chain does.
  const parent = options.parentContext;
  const context = make(base);
  const withSpan = options.span ? context.setValue(Symbol.for("test.span"), options.span) : context;
  return parent ? { ...withSpan, getValue: (key) => withSpan.getValue(key) ?? parent.getValue(key) } : withSpan;
}

interface RecordedSpan {
  /** The span object handed to the caller (what a child's parent context holds). */
  handle?: unknown;
  name: string;
  packageName: string;
  status?: SpanStatus;
  ended: boolean;
  parent: TracingContext | undefined;
}

/** Records every span any Azure SDK package (and ours) starts. */
function recordingInstrumenter(): { instrumenter: Instrumenter; spans: RecordedSpan[] } {
  const spans: RecordedSpan[] = [];
  const instrumenter: Instrumenter = {
    startSpan(name: string, options: InstrumenterSpanOptions) {
      const recorded: RecordedSpan = { name, packageName: options.packageName, ended: false, parent: options.tracingContext };
      spans.push(recorded);
      const span = {
        setStatus: (status: SpanStatus) => void (recorded.status = status),
        setAttribute: () => undefined,
        end: () => void (recorded.ended = true),
        recordException: () => undefined,
        isRecording: () => true,
      };
      recorded.handle = span;
      return { span, tracingContext: createTracingContext({ span, ...(options.tracingContext ? { parentContext: options.tracingContext } : {}) }) };
    },
    withContext: (_context, callback, ...args) => callback(...args),
    parseTraceparentHeader: () => undefined,
    createRequestHeaders: () => ({}),
  };
  return { instrumenter, spans };
}

const ours = (spans: RecordedSpan[]) => spans.filter((s) => s.packageName === "customer-key");

let emulator: Emulator;
let recorder: ReturnType<typeof recordingInstrumenter>;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(() => emulator?.stop());
afterEach(() => {
  // Back to core-tracing's no-op instrumenter for the other test files of this worker.
  useInstrumenter({ ...recordingInstrumenter().instrumenter, startSpan: (_name, options) => ({ span: { setStatus() {}, setAttribute() {}, end() {}, recordException() {}, isRecording: () => false }, tracingContext: options.tracingContext ?? createTracingContext() }) });
});

function lines(): { logger: CustomerKeyLogger; verbose: string[] } {
  const verbose: string[] = [];
  return { verbose, logger: { info: () => undefined, warning: () => undefined, error: () => undefined, verbose: (m) => void verbose.push(m) } };
}

describe("one operation pipeline", () => {
  it("the spans carry the package version of package.json", () => {
    expect(PACKAGE_VERSION).toBe(JSON.parse(readFileSync("package.json", "utf8")).version);
  });

  it("opens one span per public operation, named after it, ended with success", async () => {
    recorder = recordingInstrumenter();
    useInstrumenter(recorder.instrumenter);
    const log = lines();
    const client = clientFor(emulator, undefined, { logger: log.logger });
    const [subscriptionId] = emulator.subscriptionIds;
    await client.subscriptions.get(subscriptionId!);
    await client.subscriptions.getDoNotCancelState(subscriptionId!);
    await client.directory.findUser(emulator.admin.userPrincipalName);
    const plan = await client.vaultPairs.plan(pairSpec(emulator));
    await client.validate(plan.spec);
    expect(ours(recorder.spans).map((s) => s.name)).toEqual([
      "subscriptions.get",
      "subscriptions.getDoNotCancelState",
      "directory.findUser",
      "vaultPairs.plan",
      "validate",
    ]);
    expect(ours(recorder.spans).every((s) => s.ended && s.status?.status === "success")).toBe(true);
    // The Azure SDK clients report their own spans through the same instrumenter, under their package names.
    expect(recorder.spans.some((s) => s.packageName.startsWith("@azure/"))).toBe(true);
    expect(log.verbose.filter((l) => /^[a-zA-Z.]+: succeeded in \d+ ms$/.test(l))).toHaveLength(5);
  });

  it("marks the span of a failed operation with the error the caller sees, and logs the code", async () => {
    recorder = recordingInstrumenter();
    useInstrumenter(recorder.instrumenter);
    const log = lines();
    const client = clientFor(emulator, undefined, { logger: log.logger });
    const error = await client.subscriptions.get("not-a-guid").catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "ERR_SUBSCRIPTION_ID_INVALID" });
    const controller = new AbortController();
    controller.abort();
    await expect(client.keys.get("https://nowhere.vault.azure.net", "k", { abortSignal: controller.signal })).rejects.toMatchObject({ code: "ERR_ABORTED" });
    const listAll = async () => {
      for await (const version of client.keys.listVersions("https://nowhere.vault.azure.net", "k", { abortSignal: controller.signal })) void version;
    };
    await expect(listAll()).rejects.toMatchObject({ code: "ERR_ABORTED" });
    const spans = ours(recorder.spans);
    expect(spans.map((s) => [s.name, s.status?.status, (s.status as { error?: { code?: string } })?.error?.code])).toEqual([
      ["subscriptions.get", "error", "ERR_SUBSCRIPTION_ID_INVALID"],
      ["keys.get", "error", "ERR_ABORTED"],
      ["keys.listVersions", "error", "ERR_ABORTED"],
    ]);
    expect(spans.every((s) => s.ended)).toBe(true);
    expect(log.verbose).toContainEqual(expect.stringMatching(/^subscriptions\.get: failed in \d+ ms \(ERR_SUBSCRIPTION_ID_INVALID\)$/));
    expect(log.verbose.join("\n")).not.toMatch(/not-a-guid/);
  });

  it("nests its span under the caller's tracing context", async () => {
    recorder = recordingInstrumenter();
    useInstrumenter(recorder.instrumenter);
    const parent = createTracingContext().setValue(Symbol.for("test.parent"), "caller");
    await clientFor(emulator).subscriptions.get(emulator.subscriptionIds[0]!, { tracingOptions: { tracingContext: parent } });
    const [span] = ours(recorder.spans);
    expect(span?.parent?.getValue(Symbol.for("test.parent"))).toBe("caller");
  });

  it("passes its span to the Azure SDK calls it makes, so theirs nest under it", async () => {
    const vault = emulator.seed.vault({ name: "trace-nest" });
    await emulator.seed.key({ vault, name: "cmk" });
    recorder = recordingInstrumenter();
    useInstrumenter(recorder.instrumenter);
    await clientFor(emulator).keys.getKeyUri({ subscriptionId: vault.subscriptionId, resourceGroup: vault.resourceGroup, vaultName: vault.name }, "cmk");
    const [operation] = ours(recorder.spans);
    expect(operation?.name).toBe("keys.getKeyUri");
    const childOfOperation = (s: RecordedSpan) => s.parent?.getValue(Symbol.for("test.span")) === operation!.handle;
    // The key read (KeyClient.getKey) and the vault lookup through Resource Manager (whose clients
    // trace only their HTTP requests) are children of the operation.
    expect(recorder.spans.filter((s) => s.name === "KeyClient.getKey").every(childOfOperation)).toBe(true);
    expect(recorder.spans.filter((s) => s.name === "KeyClient.getKey")).not.toHaveLength(0);
    expect(recorder.spans.some((s) => s.packageName === "@azure/core-rest-pipeline" && s.name === "HTTP GET" && childOfOperation(s))).toBe(true);
  });
});
