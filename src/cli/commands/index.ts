import type { RegisterCommand } from "../context.js";
import { registerBackup } from "./backup.js";
import { registerDemo } from "./demo.js";
import { registerEmulator } from "./emulator.js";
import { registerInit } from "./init.js";
import { registerApply, registerPlan } from "./plan-apply.js";
import { registerRoll } from "./roll.js";
import { registerStatus } from "./status.js";
import { registerValidate } from "./validate.js";

/** Every command of the CLI, in the order `--help` lists them. Add a file under commands/ and list it here. */
export const commands: readonly RegisterCommand[] = [registerInit, registerPlan, registerApply, registerValidate, registerStatus, registerBackup, registerRoll, registerDemo, registerEmulator];
