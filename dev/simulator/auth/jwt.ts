/** Just enough JWS (RFC 7515) for the simulator: split a compact JWT, verify RS256 / PS256, sign RS256. */
import { constants, createSign, verify, type KeyObject } from "node:crypto";

export interface DecodedJwt {
  readonly header: Readonly<Record<string, unknown>>;
  readonly claims: Readonly<Record<string, unknown>>;
  /** `header.payload`, what the signature covers. */
  readonly signingInput: string;
  readonly signature: Buffer;
}

/** The parts of a compact JWT, or undefined when it is not one (three base64url parts, JSON objects). */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split(".");
  const [header, payload, signature] = parts;
  if (parts.length !== 3 || !header || !payload || signature === undefined) return undefined;
  const headerJson = parseObject(header);
  const claims = parseObject(payload);
  if (!headerJson || !claims) return undefined;
  return { header: headerJson, claims, signingInput: `${header}.${payload}`, signature: Buffer.from(signature, "base64url") };
}

function parseObject(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** RS256 (PKCS#1 v1.5) or PS256 (PSS, salt = digest length, as RFC 7518 §3.5 asks) over SHA-256. */
export function verifyRsaSignature(jwt: DecodedJwt, key: KeyObject): boolean {
  const data = Buffer.from(jwt.signingInput);
  switch (jwt.header.alg) {
    case "RS256":
      return verify("sha256", data, key, jwt.signature);
    case "PS256":
      return verify(
        "sha256",
        data,
        { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST },
        jwt.signature,
      );
    default:
      return false;
  }
}

export function signRs256(header: Record<string, unknown>, claims: Record<string, unknown>, key: KeyObject): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const signingInput = `${encode({ ...header, alg: "RS256", typ: "JWT" })}.${encode(claims)}`;
  const signature = createSign("sha256").update(signingInput).sign(key).toString("base64url");
  return `${signingInput}.${signature}`;
}
