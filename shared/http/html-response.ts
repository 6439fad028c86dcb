/**
 * HTML responses with the security headers every page gets: a CSP that allows nothing but our own
 * hashed stylesheet and same-origin form posts, no framing, no referrer (the page URL carries a
 * bearer token), no caching, no MIME sniffing.
 */
import type { Cookie, HttpResponseInit } from "@azure/functions";
import type { RenderedPage } from "../views/layout.js";

export interface HtmlResponseOptions {
  readonly cookies?: readonly Cookie[];
  /** Extra CSP directives (dev pages that frame their own content). */
  readonly extraCsp?: readonly string[];
  readonly headers?: Readonly<Record<string, string>>;
}

export function contentSecurityPolicy(page: RenderedPage, extra: readonly string[] = []): string {
  return [
    "default-src 'none'",
    `style-src ${page.styleSources.join(" ")}`,
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    ...extra,
  ].join("; ");
}

export function securityHeaders(page: RenderedPage, extraCsp: readonly string[] = []): Record<string, string> {
  return {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": contentSecurityPolicy(page, extraCsp),
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    Pragma: "no-cache",
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "X-Robots-Tag": "noindex, nofollow",
  };
}

export function htmlResponse(status: number, page: RenderedPage, options: HtmlResponseOptions = {}): HttpResponseInit {
  return {
    status,
    headers: { ...securityHeaders(page, options.extraCsp), ...options.headers },
    body: page.html,
    ...(options.cookies && options.cookies.length > 0 ? { cookies: [...options.cookies] } : {}),
  };
}
