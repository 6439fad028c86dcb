/**
 * THE way the product sends a request to an address someone configured (webhooks, Teams, and API
 * callbacks): https only; the host resolved first and every address it resolves to checked
 * (address-policy.ts), then the connection pinned to the checked address, so a DNS answer that
 * changes between the check and the connection (rebinding) cannot move it; redirects never
 * followed (the caller sees the 3xx); the request body and the time capped; at most a few KiB of
 * the answer read.
 */
import { lookup as dnsLookup } from "node:dns/promises";
import { request, type RequestOptions } from "node:https";
import type { LookupFunction } from "node:net";
import { refusedAddressClass, type AddressPolicyOptions } from "./address-policy.js";

export interface OutboundOptions extends AddressPolicyOptions {
  /** The whole exchange: resolve, connect, send, the answer's head and capped body. */
  readonly timeoutInMs?: number;
  readonly maxRequestBytes?: number;
  readonly maxResponseBytes?: number;
  /** Resolves a name to every address (tests replace DNS). Default: dns.lookup with `all`. */
  readonly resolve?: (hostname: string) => Promise<readonly ResolvedAddress[]>;
}

export interface ResolvedAddress {
  readonly address: string;
  readonly family: number;
}

export const OUTBOUND_DEFAULTS = {
  timeoutInMs: 10_000,
  /** A message of a few hundred events; a Teams card must stay under 28 KB anyway. */
  maxRequestBytes: 512 * 1024,
  /** Enough for an error message; the rest of the answer is never read. */
  maxResponseBytes: 4 * 1024,
} as const;

export interface OutboundResponse {
  readonly status: number;
  readonly retryAfter: string | null;
  /** The first maxResponseBytes of the body, as text. */
  readonly body: string;
}

/** The request was not sent, and sending it again will not help: a bad URL or a refused address. */
export class OutboundRefusedError extends Error {
  override readonly name = "OutboundRefusedError";
}

export function isOutboundRefused(error: unknown): error is OutboundRefusedError {
  return error instanceof OutboundRefusedError;
}

/** POSTs `body` as JSON. Network errors and timeouts reject (retryable); OutboundRefusedError when nothing was sent. */
export async function postJson(
  url: string,
  body: string,
  headers: Readonly<Record<string, string>>,
  options: OutboundOptions = {},
): Promise<OutboundResponse> {
  const timeoutInMs = options.timeoutInMs ?? OUTBOUND_DEFAULTS.timeoutInMs;
  const signal = AbortSignal.timeout(timeoutInMs);
  const target = checkedUrl(url);
  const bytes = Buffer.from(body, "utf8");
  const maxRequestBytes = options.maxRequestBytes ?? OUTBOUND_DEFAULTS.maxRequestBytes;
  if (bytes.length > maxRequestBytes)
    throw new OutboundRefusedError(`The body is ${bytes.length} bytes, above the ${maxRequestBytes}-byte cap`);
  // An IPv6 literal is bracketed in a URL, bare everywhere else.
  const hostname = target.hostname.replace(/^\[|\]$/g, "");
  const pinned = await resolveAllowed(hostname, options);
  return send(
    {
      method: "POST",
      protocol: "https:",
      hostname,
      port: target.port || 443,
      path: `${target.pathname}${target.search}`,
      headers: { ...headers, "content-type": "application/json; charset=utf-8", "content-length": String(bytes.length) },
      lookup: pinnedLookup(pinned),
      agent: false,
      signal,
    },
    bytes,
    options.maxResponseBytes ?? OUTBOUND_DEFAULTS.maxResponseBytes,
  );
}

function checkedUrl(url: string): URL {
  if (!URL.canParse(url)) throw new OutboundRefusedError("Not an absolute URL");
  const target = new URL(url);
  if (target.protocol !== "https:") throw new OutboundRefusedError(`Only https:// URLs are allowed, not ${target.protocol}`);
  if (target.username || target.password) throw new OutboundRefusedError("The URL must not carry credentials");
  return target;
}

/** Every address the name resolves to must be allowed (any refused one refuses the name); the first is used. */
async function resolveAllowed(hostname: string, options: OutboundOptions): Promise<ResolvedAddress> {
  const resolve = options.resolve ?? ((name: string) => dnsLookup(name, { all: true, verbatim: true }));
  let addresses: readonly ResolvedAddress[];
  try {
    addresses = await resolve(hostname);
  } catch (error) {
    throw new Error(`Could not resolve ${hostname}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  for (const { address } of addresses) {
    const refused = refusedAddressClass(address, options);
    if (refused) throw new OutboundRefusedError(`${hostname} resolves to ${address}, a ${refused} address: not connected to`);
  }
  const first = addresses[0];
  if (!first) throw new Error(`${hostname} resolved to no address`);
  return first;
}

/** A lookup that answers with the address checked above, whatever the name (Node asks with `all` when it races families). */
function pinnedLookup(pinned: ResolvedAddress): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address: pinned.address, family: pinned.family }]);
    else callback(null, pinned.address, pinned.family);
  };
}

function send(options: RequestOptions, body: Buffer, maxResponseBytes: number): Promise<OutboundResponse> {
  return new Promise((resolve, reject) => {
    const req = request(options, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => {
        const retryAfter = res.headers["retry-after"];
        resolve({
          status: res.statusCode ?? 0,
          retryAfter: typeof retryAfter === "string" ? retryAfter : null,
          body: Buffer.concat(chunks).subarray(0, maxResponseBytes).toString("utf8"),
        });
        res.destroy();
      };
      res.on("data", (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        if (size >= maxResponseBytes) done();
      });
      res.on("end", done);
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}
