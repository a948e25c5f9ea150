// Checks (or with --local, updates) the committed API reports under etc/, one per entry point.
// Run after `npm run build`. Fails when the public API changed and the report was not updated.
import { Extractor, ExtractorConfig } from "@microsoft/api-extractor";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const local = process.argv.includes("--local");
const base = JSON.parse(readFileSync(join(root, "api-extractor.json"), "utf8"));
const entries = [
  { dts: "dist/index.d.ts", report: "customer-key" },
  { dts: "dist/envelope/index.d.ts", report: "customer-key-envelope" },
  { dts: "dist/emulator/index.d.ts", report: "customer-key-emulator" },
];

let failed = false;
for (const entry of entries) {
  const configObject = {
    ...base,
    projectFolder: root,
    mainEntryPointFilePath: join(root, entry.dts),
    apiReport: { ...base.apiReport, reportFileName: entry.report, reportFolder: join(root, "etc"), reportTempFolder: join(root, "temp") },
  };
  const config = ExtractorConfig.prepare({
    configObject,
    configObjectFullPath: join(root, "api-extractor.json"),
    packageJsonFullPath: join(root, "package.json"),
  });
  const result = Extractor.invoke(config, { localBuild: local, showVerboseMessages: false, messageCallback: (m) => {
    if (m.logLevel === "warning" || m.logLevel === "error") {
      m.handled = true;
      console.error(`${entry.report}: ${m.text}`);
    } else m.handled = true;
  } });
  if (!result.succeeded || (!local && result.apiReportChanged)) {
    failed = true;
    console.error(`API report etc/${entry.report}.api.md is out of date: run \`npm run build && npm run api:update\` and review the diff.`);
  } else {
    console.log(`API report etc/${entry.report}.api.md ${local && result.apiReportChanged ? "updated" : "is current"}.`);
  }
}
process.exit(failed ? 1 : 0);
