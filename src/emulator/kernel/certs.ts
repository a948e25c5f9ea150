import { X509Certificate } from "node:crypto";
import { generate } from "selfsigned";

/** The PEM material of the emulator's own certificate authority and its TLS leaf. */
export interface EmulatorCertificates {
  caCert: string;
  caKey: string;
  leafCert: string;
  leafKey: string;
}

/**
 * Two-label names must be listed one by one: Node refuses `*.localhost` for `foo.localhost`
 * (research/sdk-local-wiring.md §2.2). Three-label wildcards such as `*.vault.localhost` work.
 */
export const EMULATOR_HOSTS = {
  login: "login.localhost",
  management: "management.localhost",
  graph: "graph.localhost",
  outlook: "outlook.localhost",
  vaultSuffix: "vault.localhost",
  sharePointSuffix: "sharepoint.localhost",
} as const;

const leafNames = [
  "localhost",
  EMULATOR_HOSTS.login,
  EMULATOR_HOSTS.management,
  EMULATOR_HOSTS.graph,
  EMULATOR_HOSTS.outlook,
  `*.${EMULATOR_HOSTS.vaultSuffix}`,
  `*.${EMULATOR_HOSTS.sharePointSuffix}`,
];

/** Generates a CA and a leaf signed by it; the server presents only the leaf. */
export async function generateCertificates(): Promise<EmulatorCertificates> {
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

/** True when stored certificates can still be served (a restarted emulator reuses its CA). */
export function certificatesStillValid(certs: EmulatorCertificates, now = new Date()): boolean {
  try {
    const leaf = new X509Certificate(certs.leafCert);
    return new Date(leaf.validTo).getTime() - now.getTime() > 24 * 3600 * 1000;
  } catch {
    return false;
  }
}
