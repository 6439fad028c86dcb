import type { Client, GraphError } from "@microsoft/microsoft-graph-client";
import { graphErrorFrom } from "./errors.js";
import type { GraphVersion } from "./paging.js";
import { decideRetry, type RetryOptions } from "./retry-strategy.js";
import type { GraphCallStats } from "./stats.js";

/** Graph's hard limit per `$batch` request (docs/reference/graph-facts.md §7). */
export const BATCH_LIMIT = 20;

export interface BatchGet {
  readonly id: string;
  /** Relative to the version, e.g. `/users/{id}/authentication/requirements`. */
  readonly url: string;
}

export type BatchOutcome<T> = { readonly ok: true; readonly body: T } | { readonly ok: false; readonly error: GraphError };

interface BatchResponseItem {
  readonly id: string;
  readonly status: number;
  readonly headers: Headers;
  readonly body?: unknown;
}

export interface BatchOptions {
  readonly version?: GraphVersion;
  readonly retry?: RetryOptions;
  readonly stats?: GraphCallStats;
  readonly sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * GETs through `$batch`, 20 per envelope. SDKs do not retry throttled items inside a batch
 * (the envelope is 200), so items answered 429/503/504 are sent again in the next envelope
 * after the longest Retry-After among them.
 */
export async function batchGet<T>(
  client: Client,
  requests: readonly BatchGet[],
  options: BatchOptions = {},
): Promise<Map<string, BatchOutcome<T>>> {
  const outcomes = new Map<string, BatchOutcome<T>>();
  for (let i = 0; i < requests.length; i += BATCH_LIMIT) {
    await runChunk(client, requests.slice(i, i + BATCH_LIMIT), outcomes, options);
  }
  return outcomes;
}

async function runChunk<T>(client: Client, chunk: readonly BatchGet[], outcomes: Map<string, BatchOutcome<T>>, options: BatchOptions) {
  let pending = chunk;
  for (let attempt = 0; pending.length > 0; attempt++) {
    const items = await postBatch(client, pending, options.version ?? "v1.0");
    let waitInMs = 0;
    const retry: BatchGet[] = [];
    for (const request of pending) {
      const item = items.get(request.id);
      if (!item) throw new TypeError(`Graph $batch response has no item with id "${request.id}"`);
      const decision = decideRetry(
        {
          attempt,
          status: item.status,
          method: "GET",
          retryAfter: item.headers.get("Retry-After"),
          nowInMs: Date.now(),
          jitter: Math.random(),
        },
        options.retry,
      );
      if (item.status === 429 && options.stats) options.stats.throttled++;
      if (decision.retry) {
        retry.push(request);
        waitInMs = Math.max(waitInMs, decision.delayInMs);
      } else {
        outcomes.set(request.id, toOutcome<T>(item));
      }
    }
    if (retry.length > 0) {
      if (options.stats) {
        options.stats.retries += retry.length;
        options.stats.waitedInMs += waitInMs;
      }
      await (options.sleep ?? defaultSleep)(waitInMs);
    }
    pending = retry;
  }
}

async function postBatch(client: Client, requests: readonly BatchGet[], version: GraphVersion): Promise<Map<string, BatchResponseItem>> {
  const body = (await client
    .api("/$batch")
    .version(version)
    .post({ requests: requests.map((r) => ({ id: r.id, method: "GET", url: r.url })) })) as { responses?: unknown } | undefined;
  if (!body || !Array.isArray(body.responses)) throw new TypeError('Graph $batch answered without a "responses" array');
  const items = body.responses.map(toResponseItem);
  return new Map(items.map((item) => [item.id, item]));
}

/** An item of the answer, checked: one without a string id and a numeric status is a broken response. */
function toResponseItem(raw: unknown): BatchResponseItem {
  const item = (typeof raw === "object" && raw !== null ? raw : {}) as {
    id?: unknown;
    status?: unknown;
    headers?: unknown;
    body?: unknown;
  };
  if (typeof item.id !== "string" || typeof item.status !== "number") {
    throw new TypeError(`Graph $batch answered an item without a string id and a numeric status: ${JSON.stringify(raw)?.slice(0, 200)}`);
  }
  const headers =
    typeof item.headers === "object" && item.headers !== null ? new Headers(item.headers as Record<string, string>) : new Headers();
  return { id: item.id, status: item.status, headers, body: item.body };
}

function toOutcome<T>(item: BatchResponseItem): BatchOutcome<T> {
  if (item.status >= 200 && item.status < 300) return { ok: true, body: item.body as T };
  return { ok: false, error: graphErrorFrom({ ...item, fallbackMessage: `Batch item failed with status ${item.status}` }) };
}
