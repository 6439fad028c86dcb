/**
 * Signed approval link tokens: compact HS256 JWTs (jose) with a `kid` header, bound to one tenant,
 * one approval, its action and its subject, with an expiry. Verification answers with the reason a
 * token was refused (TokenRejection), never by throwing, so the page can say what happened.
 */
import { base64url, errors, jwtVerify, SignJWT, type JWTPayload } from "jose";
import { z } from "zod";
import { REMEDIATION_ACTIONS, type RemediationAction } from "../model/remediation.js";
import { findKey, type SigningKey, type SigningKeys } from "../config/signing-keys.js";
import type { ApprovalTokenClaims, TokenRejection } from "../model/approval.js";
import { DOMAIN_NAME } from "../model/ids.js";

export const APPROVAL_TOKEN_ISSUER = "tenant-patrol";
/** Only approval links use this audience: a token minted for anything else never passes. */
export const APPROVAL_TOKEN_AUDIENCE = "tenant-patrol/approval-link";
export const APPROVAL_TOKEN_ALGORITHM = "HS256";
/** Longer input is refused unread (a signed link token is well under 1 KiB). */
export const MAX_TOKEN_CHARS = 4096;

export type TokenVerification =
  { readonly ok: true; readonly claims: ApprovalTokenClaims } | { readonly ok: false; readonly rejection: TokenRejection };

/** What plan.ts approvalIdFor mints: 32 lower-case hex characters. */
const APPROVAL_ID = /^[0-9a-f]{32}$/;

/** Each action's subject: a user's object id, a domain name, or none (tenant-wide). */
const SUBJECT_OF: Readonly<Record<RemediationAction, z.ZodType<string | null>>> = {
  "block-account": z.guid(),
  "enforce-mfa": z.guid(),
  "disable-user-consent": z.null(),
  "set-password-never-expire": z.string().regex(DOMAIN_NAME),
};

/**
 * Private claims: tenant, approval, action, subject. Checked to the formats we issue, not just
 * "a string": the claims become storage keys and Graph paths, so a value we never mint must end as
 * a damaged link here, not as an exception further on (e.g. a `/` in a table key).
 */
const payloadSchema = z
  .object({
    tid: z.guid(),
    aid: z.string().regex(APPROVAL_ID),
    act: z.enum(REMEDIATION_ACTIONS),
    sid: z.string().nullable(),
    exp: z.number().int(),
  })
  .refine((claims) => SUBJECT_OF[claims.act].safeParse(claims.sid).success);

const headerSchema = z.object({ alg: z.string(), kid: z.string().optional() });

/** Signs link tokens with the first (current) key. */
export class ApprovalTokenSigner {
  readonly #key: SigningKey;

  constructor(keys: SigningKeys) {
    this.#key = keys[0];
  }

  /** The key id new tokens carry. */
  get kid(): string {
    return this.#key.kid;
  }

  /** `exp` is claims.expiresAt in whole seconds (rounded down). */
  sign(claims: ApprovalTokenClaims, issuedAt: Date = new Date()): Promise<string> {
    const payload: JWTPayload = { tid: claims.tenantId, aid: claims.approvalId, act: claims.action, sid: claims.subjectId };
    return new SignJWT(payload)
      .setProtectedHeader({ alg: APPROVAL_TOKEN_ALGORITHM, kid: this.#key.kid, typ: "JWT" })
      .setIssuer(APPROVAL_TOKEN_ISSUER)
      .setAudience(APPROVAL_TOKEN_AUDIENCE)
      .setIssuedAt(toSeconds(issuedAt))
      .setExpirationTime(toSeconds(claims.expiresAt))
      .sign(this.#key.secret);
  }
}

/**
 * Checks, in this order: shape (three canonical base64url segments, JSON header) → `malformed`;
 * algorithm other than HS256 (incl. `none`) → `bad-signature`; `kid` missing or not configured →
 * `unknown-key`; MAC → `bad-signature`; expiry at `now` → `expired`; issuer, audience and claims →
 * `malformed`. Expiry is only looked at once the MAC holds, so a forged token is never "expired".
 */
export async function verifyApprovalToken(token: string, keys: SigningKeys, now: Date): Promise<TokenVerification> {
  const header = readHeader(token);
  if (header === undefined) return reject("malformed");
  if (header.alg !== APPROVAL_TOKEN_ALGORITHM) return reject("bad-signature");
  const key = header.kid === undefined ? undefined : findKey(keys, header.kid);
  if (key === undefined) return reject("unknown-key");
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, key.secret, {
      algorithms: [APPROVAL_TOKEN_ALGORITHM],
      issuer: APPROVAL_TOKEN_ISSUER,
      audience: APPROVAL_TOKEN_AUDIENCE,
      requiredClaims: ["exp"],
      currentDate: now,
    }));
  } catch (error) {
    return reject(rejectionFor(error));
  }
  const claims = payloadSchema.safeParse(payload);
  if (!claims.success) return reject("malformed");
  const { tid, aid, act, sid, exp } = claims.data;
  return { ok: true, claims: { tenantId: tid, approvalId: aid, action: act, subjectId: sid, expiresAt: new Date(exp * 1000) } };
}

function reject(rejection: TokenRejection): TokenVerification {
  return { ok: false, rejection };
}

const SEGMENT = /^[A-Za-z0-9_-]*$/;

/**
 * The protected header, or undefined when the token is not three canonical base64url segments with
 * a JSON object header. Canonical: re-encoding each decoded segment gives it back, so no two token
 * strings carry the same bytes (base64url's spare low bits in a last character would otherwise let
 * an edited token verify).
 */
function readHeader(token: string): z.infer<typeof headerSchema> | undefined {
  if (token.length > MAX_TOKEN_CHARS) return undefined;
  const segments = token.split(".");
  if (segments.length !== 3 || segments[0] === "" || segments[1] === "") return undefined;
  const decoded: Uint8Array[] = [];
  for (const segment of segments) {
    if (!SEGMENT.test(segment)) return undefined;
    const bytes = decodeSegment(segment);
    if (bytes === undefined || base64url.encode(bytes) !== segment) return undefined;
    decoded.push(bytes);
  }
  try {
    const parsed = headerSchema.safeParse(JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(decoded[0])));
    return parsed.success ? parsed.data : undefined;
  } catch (error) {
    if (error instanceof SyntaxError || error instanceof TypeError) return undefined;
    throw error;
  }
}

function decodeSegment(segment: string): Uint8Array | undefined {
  try {
    return base64url.decode(segment);
  } catch (error) {
    if (error instanceof TypeError || error instanceof errors.JOSEError) return undefined;
    throw error;
  }
}

function rejectionFor(error: unknown): TokenRejection {
  if (error instanceof errors.JWTExpired) return "expired";
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JOSEAlgNotAllowed) return "bad-signature";
  if (error instanceof errors.JOSEError) return "malformed";
  throw error;
}

function toSeconds(date: Date): number {
  if (Number.isNaN(date.getTime())) throw new RangeError("Invalid date in token claims");
  return Math.floor(date.getTime() / 1000);
}
