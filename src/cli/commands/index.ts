import type { RegisterCommand } from "../context.js";
import { registerEmulator } from "./emulator.js";

/** Every command of the CLI, in the order `--help` lists them. Add a file under commands/ and list it here. */
export const commands: readonly RegisterCommand[] = [registerEmulator];
