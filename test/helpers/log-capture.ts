import { AzureLogger, getLogLevel, setLogLevel, type AzureLogLevel } from "@azure/logger";
import { vi } from "vitest";

/**
 * Captures every line any logger writes (the Azure SDK's and ours through AzureLogger.log, and
 * console) at verbose level, for the tests that look for secrets in logs. `stop()` restores all.
 */
export function captureLogs(lines: string[] = []): { lines: string[]; stop(): void } {
  const previousLevel: AzureLogLevel | undefined = getLogLevel();
  const previousLog = AzureLogger.log;
  AzureLogger.log = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
  setLogLevel("verbose");
  const spies = (["log", "info", "warn", "error", "debug"] as const).map((method) =>
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void lines.push(`console.${method} ${args.map(String).join(" ")}`)),
  );
  return {
    lines,
    stop() {
      for (const spy of spies) spy.mockRestore();
      AzureLogger.log = previousLog;
      setLogLevel(previousLevel);
    },
  };
}
