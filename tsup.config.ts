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
