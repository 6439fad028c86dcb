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

const TOKEN_PREFIX = "sim2:";

/**
 * A token holds the offset and the tenant's skiptoken epoch it was issued in: tokens of an earlier
 * epoch have expired (TenantState.expireSkipTokens).
 */
export function encodeSkipToken(offset: number, epoch: number): string {
  return Buffer.from(`${TOKEN_PREFIX}${epoch}:${offset}`).toString("base64url");
}

/** The offset a token stands for; Graph's 400s for a token it never issued or one that has expired. */
export function decodeSkipToken(token: string | undefined, epoch: number): number {
  if (token === undefined) return 0;
  const text = Buffer.from(token, "base64url").toString();
  const [issued, offset] = text.slice(TOKEN_PREFIX.length).split(":").map(Number);
  if (!text.startsWith(TOKEN_PREFIX) || !isCount(issued) || !isCount(offset) || issued > epoch) {
    throw graphErrors.badRequest("The specified $skiptoken is invalid.");
  }
  if (issued < epoch) throw graphErrors.expiredPageToken();
  return offset;
}

function isCount(n: number | undefined): n is number {
  return n !== undefined && Number.isSafeInteger(n) && n >= 0;
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
export function nextLink(baseUrl: string, path: string, search: URLSearchParams, nextOffset: number, epoch: number): string {
  const parts: string[] = [];
  for (const [key, value] of search) {
    if (key.toLowerCase() !== "$skiptoken") parts.push(`${encodeQueryPart(key)}=${encodeQueryPart(value)}`);
  }
  parts.push(`$skiptoken=${encodeSkipToken(nextOffset, epoch)}`);
  return `${baseUrl}${path}?${parts.join("&")}`;
}

function encodeQueryPart(text: string): string {
  return encodeURIComponent(text).replace(/%(24|2C|3A|2F)/gi, (escaped) => decodeURIComponent(escaped));
}
