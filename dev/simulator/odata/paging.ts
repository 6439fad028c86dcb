/**
 * Server-driven paging as Graph does it: pages of $top (or the collection's default) items, and an
 * absolute @odata.nextLink that repeats the original query plus an opaque $skiptoken.
 */
import { graphErrors } from "../errors.js";
import type { QueryOptions } from "./query-options.js";

export interface PageLimits {
  readonly defaultSize: number;
  readonly maxSize: number;
}

/** Graph's default for directory collections. */
export const DIRECTORY_PAGE_LIMITS: PageLimits = { defaultSize: 100, maxSize: 999 };

const TOKEN_PREFIX = "sim1:";

export function encodeSkipToken(offset: number): string {
  return Buffer.from(`${TOKEN_PREFIX}${offset}`).toString("base64url");
}

export function decodeSkipToken(token: string | undefined): number {
  if (token === undefined) return 0;
  const text = Buffer.from(token, "base64url").toString();
  const offset = Number(text.slice(TOKEN_PREFIX.length));
  if (!text.startsWith(TOKEN_PREFIX) || !Number.isSafeInteger(offset) || offset < 0) {
    throw graphErrors.badRequest("The specified $skiptoken is invalid.");
  }
  return offset;
}

export function pageSize(query: QueryOptions, limits: PageLimits): number {
  if (!query.top) return limits.defaultSize;
  if (query.top.value < 1 || query.top.value > limits.maxSize) throw graphErrors.invalidPageSize(query.top.text, limits.maxSize);
  return query.top.value;
}

/**
 * The next page's absolute URL: same path and query, $skiptoken replaced. Values are
 * percent-encoded except characters Graph itself leaves readable ($ , : / ' ( )).
 */
export function nextLink(baseUrl: string, path: string, search: URLSearchParams, nextOffset: number): string {
  const parts: string[] = [];
  for (const [key, value] of search) {
    if (key.toLowerCase() !== "$skiptoken") parts.push(`${encodeQueryPart(key)}=${encodeQueryPart(value)}`);
  }
  parts.push(`$skiptoken=${encodeSkipToken(nextOffset)}`);
  return `${baseUrl}${path}?${parts.join("&")}`;
}

function encodeQueryPart(text: string): string {
  return encodeURIComponent(text).replace(/%(24|2C|3A|2F)/gi, (escaped) => decodeURIComponent(escaped));
}
