import { EMULATOR_HOSTS } from "../endpoints.js";
import { defineService } from "../kernel/service-definition.js";
import { seedExchange } from "./admin.js";
import { exchangeErrorReply } from "./error-reply.js";
import { emptyExchangeState, EXCHANGE_STATE_KEY, type ExchangeState } from "./model.js";
import { batchRoute } from "./routes/batch.js";
import { invokeCommandRoute } from "./routes/invoke-command.js";

/** Availability keys are Microsoft's secrets: a snapshot leaves them out (the state file keeps them). */
function redact(state: ExchangeState): void {
  for (const policy of [...Object.values(state.policies), ...Object.values(state.m365Policies)]) policy.availabilityKey = "(redacted)";
}

/** Exchange Online's admin API gateway (`adminapi/beta`) at `https://outlook.localhost:{port}`. */
export const exchangeService = defineService<ExchangeState>({
  name: "exchange",
  hosts: [EMULATOR_HOSTS.outlook],
  audiences: (endpoints) => ["https://outlook.office365.com", "https://outlook.office.com", endpoints.exchange],
  state: { key: EXCHANGE_STATE_KEY, empty: emptyExchangeState, redact },
  routes: [invokeCommandRoute, batchRoute],
  throttled: true,
  seed: (core) => seedExchange(core),
  errorReply: (error, req, core) => exchangeErrorReply(error, core, req.requestId),
  replyHeaders: (req) => ({ "request-id": req.requestId, "X-ExchangeVersion": "Version 15.20 (Build 9999.0)", "X-UserType": "Business", OrganizationStatus: "Active" }),
});
