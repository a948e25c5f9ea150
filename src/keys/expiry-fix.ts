/**
 * @azure/keyvault-keys 4.10.2 serialises `exp`/`nbf` as `(date.getTime() / 1000) | 0`, a 32-bit
 * integer: 9999-12-31T00:00:00Z (253402214400) goes out as -856064 (1969-12-22). This
 * per-call pipeline policy puts the intended value back on key PATCH requests, so clearExpiry
 * can set Microsoft's 12/31/9999 through the real client. A negative `exp` is never meant.
 */
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { NO_EXPIRY } from "../rules/key-rules.js";

const NO_EXPIRY_SECONDS = Math.floor(NO_EXPIRY.getTime() / 1000);
/** What the SDK's `| 0` makes of NO_EXPIRY. */
const OVERFLOWED = NO_EXPIRY_SECONDS | 0;

export const expiryFixPolicy: PipelinePolicy = {
  name: "customerKeyExpiryFix",
  sendRequest(request, next) {
    if (request.method === "PATCH" && /\/keys\//i.test(new URL(request.url).pathname) && typeof request.body === "string") {
      try {
        const body = JSON.parse(request.body) as { attributes?: { exp?: number } };
        if (body.attributes?.exp === OVERFLOWED) {
          body.attributes.exp = NO_EXPIRY_SECONDS;
          request.body = JSON.stringify(body);
        }
      } catch {
        /* not JSON: leave it */
      }
    }
    return next(request);
  },
};
