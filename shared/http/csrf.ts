/**
 * Cross-site request forgery protection for the approval form (double submit, bound to the link).
 *
 * The link token is a bearer capability, so a forged POST would need it; this makes the form also
 * prove it came from a page we served to this browser:
 * - GET sets an HttpOnly, SameSite=Strict cookie holding a random value (`__Host-` prefixed, hence
 *   Secure, host-only and Path=/, whenever the app is served over https) and embeds
 *   HMAC(key, cookie value + token) in a hidden field.
 * - POST requires the cookie, the field, and the HMAC to match (constant-time), and refuses
 *   requests the browser marks as cross-site (`Sec-Fetch-Site`) or whose `Origin` is not
 *   PUBLIC_BASE_URL's. Never the request's own Host: a page on a name the attacker points at this
 *   app (DNS rebinding) is same-origin with that Host, so trusting it would trust the attacker.
 *   `Origin: null` is not evidence either way: the page's `Referrer-Policy: no-referrer` makes
 *   browsers send it on our own form posts.
 * The cookie value is reused while valid, so several confirmation pages open in tabs all work.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Cookie, HttpRequest } from "@azure/functions";
import type { ApprovalSettings } from "../config/settings.js";

export const CSRF_FIELD = "csrf";
const COOKIE_BASE_NAME = "tp-approval-csrf";
const COOKIE_VALUE = /^[A-Za-z0-9_-]{43}$/;
/** Long enough to read the page and decide; short enough not to linger. */
const COOKIE_MAX_AGE_SECONDS = 12 * 3600;

export type CsrfFailure = "cross-site" | "missing-cookie" | "missing-field" | "mismatch";

export interface CsrfOptions {
  /** HMAC key (server secret, derived from the approval signing key). */
  readonly key: Uint8Array;
  /** Whether browsers reach the app over https (decides the `__Host-` prefix and Secure). */
  readonly secure: boolean;
  /** The origin of PUBLIC_BASE_URL, the only one our pages are served from (see the header comment). */
  readonly publicOrigin: string;
}

export interface CsrfIssue {
  readonly cookie: Cookie;
  /** Value of the hidden form field CSRF_FIELD. */
  readonly field: string;
}

/**
 * The options of one kind of form (`purpose` names it and keeps its fields apart from other forms'):
 * the HMAC key derived from the current approval signing key (never the key itself), and Secure and
 * the allowed origin from PUBLIC_BASE_URL alone, because a request's URL is built from its Host
 * header, which the client chose.
 */
export function formCsrfOptions(settings: Pick<ApprovalSettings, "signingKeys" | "publicBaseUrl">, purpose: string): CsrfOptions {
  const publicUrl = new URL(settings.publicBaseUrl);
  return {
    key: createHmac("sha256", settings.signingKeys[0].secret).update(`tenant-patrol/${purpose}-csrf/v1`).digest(),
    secure: publicUrl.protocol === "https:",
    publicOrigin: publicUrl.origin,
  };
}

export function csrfCookieName(secure: boolean): string {
  return secure ? `__Host-${COOKIE_BASE_NAME}` : COOKIE_BASE_NAME;
}

/** For a GET: the cookie to (re)set and the form field for this token. */
export function issueCsrf(request: HttpRequest, token: string, options: CsrfOptions): CsrfIssue {
  const name = csrfCookieName(options.secure);
  const existing = readCookie(request, name);
  const value = existing !== undefined && COOKIE_VALUE.test(existing) ? existing : randomBytes(32).toString("base64url");
  return {
    cookie: { name, value, path: "/", httpOnly: true, sameSite: "Strict", secure: options.secure, maxAge: COOKIE_MAX_AGE_SECONDS },
    field: fieldFor(options.key, value, token),
  };
}

/** For a POST: ok only when the request comes from our page, in this browser, for this token. */
export function checkCsrf(
  request: HttpRequest,
  form: URLSearchParams,
  token: string,
  options: CsrfOptions,
): { ok: true } | { ok: false; reason: CsrfFailure } {
  if (isCrossSite(request, options.publicOrigin)) return { ok: false, reason: "cross-site" };
  const cookie = readCookie(request, csrfCookieName(options.secure));
  if (cookie === undefined || !COOKIE_VALUE.test(cookie)) return { ok: false, reason: "missing-cookie" };
  const field = form.get(CSRF_FIELD);
  if (!field) return { ok: false, reason: "missing-field" };
  const expected = Buffer.from(fieldFor(options.key, cookie, token));
  const given = Buffer.from(field);
  return given.length === expected.length && timingSafeEqual(given, expected) ? { ok: true } : { ok: false, reason: "mismatch" };
}

function fieldFor(key: Uint8Array, cookieValue: string, token: string): string {
  return createHmac("sha256", key).update(`${cookieValue}\n${token}`).digest("base64url");
}

/**
 * What the browser says of where the request comes from (`Sec-Fetch-Site`, `Origin`): true when it
 * is not our own page. Without a known public origin only `Sec-Fetch-Site` can tell.
 */
export function isCrossSite(request: HttpRequest, publicOrigin: string | undefined): boolean {
  const site = request.headers.get("sec-fetch-site");
  if (site !== null && site !== "same-origin" && site !== "none") return true;
  const origin = request.headers.get("origin");
  return publicOrigin !== undefined && origin !== null && origin !== "null" && origin !== publicOrigin;
}

/** The value of cookie `name` from the Cookie header (first occurrence), if any. */
export function readCookie(request: HttpRequest, name: string): string | undefined {
  const header = request.headers.get("cookie");
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
