export { PreflightReport } from "./report.js";
export { CHECK_IDS } from "./types.js";
export type {
  CheckId,
  CheckStatus,
  PreflightCheck,
  PreflightReportJson,
  ValidateOptions,
  ValidationInput,
  ValidationTarget,
  ValidationVault,
} from "./types.js";
