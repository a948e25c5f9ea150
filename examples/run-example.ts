import path from "node:path";
import { pathToFileURL } from "node:url";

/**
 * Runs an example's `main()` when the file is started directly (`node --import tsx examples/x.ts`),
 * and not when a test imports it. The exit code says whether the example's result was ok.
 */
export function runIfMain(moduleUrl: string, main: () => Promise<{ ok: boolean }>): void {
  if (!process.argv[1] || moduleUrl !== pathToFileURL(path.resolve(process.argv[1])).href) return;
  main()
    .then((result) => {
      process.exitCode = result.ok ? 0 : 1;
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
