/** The simulator's request and response values, independent of node:http (batch items use them too). */

export interface SimRequest {
  readonly method: string;
  /** Decoded path without the leading slash, e.g. "v1.0/users/abc". */
  readonly path: string;
  readonly search: URLSearchParams;
  /** Lower-cased header names. */
  readonly headers: Readonly<Record<string, string>>;
  /** Parsed JSON body; `undefined` when there is none; `invalidJson` when it doesn't parse. */
  readonly body: unknown;
}

export const INVALID_JSON = Symbol("invalid JSON body");

export interface SimResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  /** JSON body; absent for 202/204 and other empty answers. */
  readonly body?: unknown;
  /** Close the connection instead of answering (the drop-connection fault); status 0 in the request log. */
  readonly dropConnection?: true;
  /** Verbatim body text (the malformed-json fault); wins over `body`. */
  readonly rawBody?: string;
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): SimResponse {
  return { status, headers, body };
}

export function emptyResponse(status: number, headers: Record<string, string> = {}): SimResponse {
  return { status, headers };
}

export function hasBody(response: SimResponse): boolean {
  return response.rawBody !== undefined || response.body !== undefined;
}

/** Graph's own Content-Type for JSON; the SDK only compares the part before ";". */
export const GRAPH_JSON_CONTENT_TYPE = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

export function parseJsonBody(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // The caller answers Graph's "Unable to read JSON request payload" when a route needs the body.
    return INVALID_JSON;
  }
}
