import { copyFile, mkdir } from "node:fs/promises";
import { defineConfig } from "tsup";

export default defineConfig([
  {
    entry: {
      index: "src/index.ts",
      "envelope/index": "src/envelope/index.ts",
      "emulator/index": "src/emulator/index.ts",
      // --import/--require preload for processes that reach a separately started emulator.
      "emulator/preload": "src/cli/emulator-preload.ts",
    },
    format: ["esm", "cjs"],
    dts: true,
    sourcemap: true,
    clean: true,
    target: "node20",
    platform: "node",
    splitting: false,
    // p-retry is ESM-only; bundling it keeps the CommonJS build working (research §1).
    noExternal: ["p-retry"],
    // import.meta.url in the CommonJS build (the PowerShell transports find their host script by it).
    shims: true,
    // The PowerShell transports start this script; both builds look for it in dist/powershell/.
    async onSuccess() {
      await mkdir("dist/powershell", { recursive: true });
      await copyFile("src/transports/powershell/customer-key-host.ps1", "dist/powershell/customer-key-host.ps1");
    },
  },
  {
    entry: { "cli/index": "src/cli/bin.ts" },
    format: ["esm"],
    target: "node20",
    platform: "node",
    sourcemap: true,
    banner: { js: "#!/usr/bin/env node" },
  },
]);
