import { createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, sign, verify, type JsonWebKey } from "node:crypto";

/** The key the emulated Entra ID signs access tokens with; kept in the state file. */
export interface SigningKey {
  /** Key id in token headers and the JWKS. */
  kid: string;
  /** The RSA key as a JWK (only the public half in snapshots). */
  privateJwk: JsonWebKey;
}

export function generateSigningKey(): SigningKey {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return { kid: randomUUID().replace(/-/g, ""), privateJwk: privateKey.export({ format: "jwk" }) };
}

/** The public half as a JWKS entry (`/discovery/v2.0/keys`). */
export function publicJwk(key: SigningKey): JsonWebKey & { kid: string; use: string; alg: string } {
  const pub = createPublicKey({ key: key.privateJwk, format: "jwk" }).export({ format: "jwk" });
  return { ...pub, kid: key.kid, use: "sig", alg: "RS256" };
}

/** Claims of the tokens the emulator issues (a subset of Entra's v2 access tokens). */
export interface AccessTokenClaims {
  aud: string;
  iss: string;
  tid: string;
  oid: string;
  sub: string;
  appid: string;
  azp?: string;
  idtyp: "app" | "user";
  upn?: string;
  name?: string;
  scp?: string;
  /** Application permissions (app roles) of an application's token, e.g. Graph's `Sites.Read.All`. */
  roles?: string[];
  iat: number;
  nbf: number;
  exp: number;
  ver: "2.0";
  uti: string;
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString("base64url");

export function signToken(key: SigningKey, claims: AccessTokenClaims): string {
  const header = b64url(JSON.stringify({ typ: "JWT", alg: "RS256", kid: key.kid }));
  const payload = b64url(JSON.stringify(claims));
  const signature = sign("sha256", Buffer.from(`${header}.${payload}`), createPrivateKey({ key: key.privateJwk, format: "jwk" }));
  return `${header}.${payload}.${b64url(signature)}`;
}

/** Why a token was refused; the message is safe to return (it never quotes the token). */
export class TokenRejected extends Error {}

/** Verifies signature and real-time validity, and returns the claims. Audience is checked by the caller. */
export function verifyToken(key: SigningKey, token: string, nowSeconds = Math.floor(Date.now() / 1000)): AccessTokenClaims {
  const parts = token.split(".");
  if (parts.length !== 3) throw new TokenRejected("The access token is malformed.");
  const [header, payload, signature] = parts as [string, string, string];
  let claims: AccessTokenClaims;
  try {
    const ok = verify(
      "sha256",
      Buffer.from(`${header}.${payload}`),
      createPublicKey({ key: key.privateJwk, format: "jwk" }),
      Buffer.from(signature, "base64url"),
    );
    if (!ok) throw new TokenRejected("The access token signature is invalid.");
    claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as AccessTokenClaims;
  } catch (error) {
    if (error instanceof TokenRejected) throw error;
    throw new TokenRejected("The access token is malformed.");
  }
  if (typeof claims.exp !== "number" || claims.exp < nowSeconds - 300) throw new TokenRejected("The access token has expired.");
  if (typeof claims.nbf === "number" && claims.nbf > nowSeconds + 300) throw new TokenRejected("The access token is not yet valid.");
  return claims;
}
