import { X509Certificate } from "node:crypto";
import { generate } from "selfsigned";

/** The PEM material of the emulator's own certificate authority and its TLS leaf. */
export interface EmulatorCertificates {
  /** PEM of the CA certificate clients trust. */
  caCert: string;
  /** PEM of the CA private key. */
  caKey: string;
  /** PEM of the TLS certificate the server presents. */
  leafCert: string;
  /** PEM of the TLS private key. */
  leafKey: string;
}

/**
 * The leaf's DNS names for the services' declared hosts: a `{label}` in the first label becomes a
 * wildcard (`{vault}.vault.localhost` → `*.vault.localhost`). Two-label names stay listed one by
 * one: Node refuses `*.localhost` for `foo.localhost` (research/sdk-local-wiring.md §2.2).
 */
export function certificateNames(hosts: Iterable<string>): string[] {
  const names = new Set<string>(["localhost"]);
  for (const host of hosts) {
    const [first, ...rest] = host.toLowerCase().split(".");
    names.add(first!.includes("{") ? ["*", ...rest].join(".") : host.toLowerCase());
  }
  return [...names];
}

/** Generates a CA and a leaf signed by it; the server presents only the leaf. */
export async function generateCertificates(leafNames: readonly string[]): Promise<EmulatorCertificates> {
  const notAfterDate = new Date(Date.now() + 365 * 24 * 3600 * 1000);
  const ca = await generate([{ name: "commonName", value: "customer-key emulator CA" }], {
    keySize: 2048,
    algorithm: "sha256",
    notAfterDate,
    extensions: [
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  const leaf = await generate([{ name: "commonName", value: "localhost" }], {
    keySize: 2048,
    algorithm: "sha256",
    notAfterDate,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          ...leafNames.map((value) => ({ type: 2 as const, value })),
          { type: 7 as const, ip: "127.0.0.1" },
          { type: 7 as const, ip: "::1" },
        ],
      },
    ],
  });
  return { caCert: ca.cert, caKey: ca.private, leafCert: leaf.cert, leafKey: leaf.private };
}

/**
 * True when stored certificates can still be served (a restarted emulator reuses its CA): not
 * about to expire, and naming every host the services declare now.
 */
export function certificatesStillValid(certs: EmulatorCertificates, leafNames: readonly string[], now = new Date()): boolean {
  try {
    const leaf = new X509Certificate(certs.leafCert);
    const probe = (name: string) => name.replace(/^\*\./, "probe.");
    if (!leafNames.every((name) => leaf.checkHost(probe(name)) !== undefined)) return false;
    return new Date(leaf.validTo).getTime() - now.getTime() > 24 * 3600 * 1000;
  } catch {
    return false;
  }
}
