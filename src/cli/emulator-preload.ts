/**
 * Preload for processes that talk to an emulator started by `customer-key emulator start`:
 *
 *   NODE_EXTRA_CA_CERTS=<the printed CA file> node --import customer-key/emulator/preload app.js
 *
 * It makes `localhost` and every `*.localhost` name resolve to 127.0.0.1 for the whole process
 * (the system resolver does not, and every Azure client builds its own agent, so there is no
 * single agent to hand a `lookup`). Trust stays with Node: NODE_EXTRA_CA_CERTS adds the emulator's
 * CA, TLS verification stays on. Self-contained on purpose: it loads nothing but node:dns into the
 * user's process (`emulatorLookup` in the emulator entry would bring the emulator with it).
 */
import dns from "node:dns";

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

const systemLookup = dns.lookup;

function isLoopbackName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, "");
  return name === "localhost" || name.endsWith(".localhost");
}

function lookup(hostname: string, options: unknown, callback?: LookupCallback): void {
  const cb = (typeof options === "function" ? options : callback) as LookupCallback;
  const opts = (typeof options === "object" && options !== null ? options : typeof options === "number" ? { family: options } : {}) as dns.LookupOptions;
  if (!isLoopbackName(hostname) || opts.family === 6) {
    (systemLookup as (...args: unknown[]) => void)(hostname, opts, cb);
    return;
  }
  // Node asks with { all: true } when it tries address families in turn (autoSelectFamily).
  process.nextTick(() => (opts.all ? cb(null, [{ address: "127.0.0.1", family: 4 }]) : cb(null, "127.0.0.1", 4)));
}

// net, tls and http read dns.lookup at connect time, so replacing the property reaches every socket.
(dns as { lookup: unknown }).lookup = lookup;
