/** Table operations shared by the repositories: reads that may miss, and batched writes. */
import type { TableClient, TableEntity, TableEntityResult, TransactionAction } from "@azure/data-tables";
import { isNotFound } from "./errors.js";

/** Every repository method takes these; more specific `<Method>Options` extend it. */
export interface StorageOperationOptions {
  readonly abortSignal?: AbortSignal;
}

export type RawEntity = TableEntityResult<Record<string, unknown>>;

/** The entity, or undefined on 404. */
export async function getEntityOrUndefined(
  client: TableClient,
  partitionKey: string,
  rowKey: string,
  options: StorageOperationOptions = {},
): Promise<RawEntity | undefined> {
  try {
    return await client.getEntity<Record<string, unknown>>(partitionKey, rowKey, { abortSignal: options.abortSignal });
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** All entities matching an `odata` filter, following continuation tokens. */
export async function listAll(client: TableClient, filter: string, options: StorageOperationOptions = {}): Promise<RawEntity[]> {
  const entities: RawEntity[] = [];
  const pages = client.listEntities<Record<string, unknown>>({ queryOptions: { filter }, abortSignal: options.abortSignal });
  for await (const entity of pages) entities.push(entity);
  return entities;
}

export interface PageRequest extends StorageOperationOptions {
  /** At most this many entities (the service returns at most 1,000 per page). */
  readonly pageSize: number;
  /** Where the previous page stopped (its `continuation`), or undefined for the first page. */
  readonly continuation?: string;
}

export interface EntityPage {
  readonly entities: RawEntity[];
  /** The service's token for the next page; undefined on the last one. */
  readonly continuation: string | undefined;
}

/** The service's continuation values are opaque; a key is at most 1 KiB, so its encoding is far below this. */
const MAX_CONTINUATION_KEY_CHARS = 4096;

/** A continuation token that is not a position in the partition being read (forged, or another query's). */
export class ContinuationError extends RangeError {
  override readonly name = "ContinuationError";
}

/**
 * One page of an `odata` filter's entities in key order. The service's token names the next key to
 * read, so rows upserted while a client pages are neither lost nor read twice (a row inserted
 * behind the token is simply not in this listing). The page may hold fewer entities than asked even
 * when more follow (the service stops after 5 s): follow `continuation`. A continuation that came
 * back from a client is checked first (ContinuationError); the filter, not the token, decides which
 * partition is read, so a token naming another partition finds nothing there.
 */
export async function listPage(client: TableClient, filter: string, request: PageRequest): Promise<EntityPage> {
  if (request.continuation !== undefined) checkContinuation(request.continuation);
  const pages = client
    .listEntities<Record<string, unknown>>({ queryOptions: { filter }, abortSignal: request.abortSignal })
    .byPage({ maxPageSize: request.pageSize, ...(request.continuation ? { continuationToken: request.continuation } : {}) });
  const first = await pages.next();
  if (first.done === true) return { entities: [], continuation: undefined };
  return { entities: [...first.value], continuation: first.value.continuationToken };
}

/**
 * The table client's token is base64 JSON `{ nextPartitionKey, nextRowKey? }` (@azure/data-tables,
 * utils/continuationToken) holding the service's opaque `x-ms-continuation-*` values. A token of
 * another shape (a non-string key the client would throw on) never reaches the client.
 */
function checkContinuation(token: string): void {
  let position: unknown;
  try {
    position = JSON.parse(Buffer.from(token, "base64").toString("utf8"));
  } catch {
    throw new ContinuationError("is not a continuation token of this listing");
  }
  const { nextPartitionKey, nextRowKey, ...rest } = (typeof position === "object" && position !== null ? position : {}) as Record<
    string,
    unknown
  >;
  const opaque = (value: unknown) => typeof value === "string" && value.length > 0 && value.length <= MAX_CONTINUATION_KEY_CHARS;
  if (!opaque(nextPartitionKey) || (nextRowKey !== undefined && !opaque(nextRowKey)) || Object.keys(rest).length > 0) {
    throw new ContinuationError("is not a continuation token of this listing");
  }
}

/** A transaction holds at most 100 operations, all in one partition. */
export const MAX_TRANSACTION_OPERATIONS = 100;
/** The service caps a batch body at 4 MiB; the rest is headroom for the multipart envelope. */
export const MAX_TRANSACTION_BYTES = 3.5 * 1024 * 1024;
/** Multipart headers around each operation in a batch body, generously. */
const OPERATION_OVERHEAD_BYTES = 1024;

/**
 * Transactions in flight at once in one partition: the service takes ~2,000 entities/s per
 * partition, so a few concurrent batches of 100 use it without queueing behind each other's latency.
 */
export const TRANSACTIONS_IN_FLIGHT = 4;

/**
 * Upserts (Replace: properties left out are removed) in as few transactions as the limits allow,
 * up to TRANSACTIONS_IN_FLIGHT at once. Entities must share a partition key and have distinct row
 * keys. They are taken from `entities` one transaction at a time, so a lazy iterable keeps only
 * the transactions in flight in memory (tens of thousands of findings for a large tenant). Each
 * transaction is atomic, the whole is not: on a failure some transactions may have been applied
 * (callers write idempotently). Returns the number of transactions submitted.
 */
export async function upsertInTransactions(
  client: TableClient,
  entities: Iterable<TableEntity>,
  options: StorageOperationOptions = {},
): Promise<number> {
  const chunks = transactionChunks(entities);
  let transactions = 0;
  let failed = false;
  const submitNext = async (): Promise<void> => {
    // After a failure no new transaction starts; those in flight finish.
    for (let next = chunks.next(); !failed && next.done !== true; next = chunks.next()) {
      transactions++;
      try {
        await client.submitTransaction(
          next.value.map((entity): TransactionAction => ["upsert", entity, "Replace"]),
          { abortSignal: options.abortSignal },
        );
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: TRANSACTIONS_IN_FLIGHT }, submitNext));
  const rejected = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (rejected) throw rejected.reason;
  return transactions;
}

/** Splits entities into runs that respect both the operation count and the body size limits. */
export function chunkForTransactions<T extends TableEntity>(entities: readonly T[]): T[][] {
  return [...transactionChunks(entities)];
}

/** chunkForTransactions, lazily: each run is yielded as soon as it is full. */
export function* transactionChunks<T extends TableEntity>(entities: Iterable<T>): Generator<T[]> {
  let current: T[] = [];
  let bytes = 0;
  for (const entity of entities) {
    const size = maxJsonBytes(entity) + OPERATION_OVERHEAD_BYTES;
    if (current.length === MAX_TRANSACTION_OPERATIONS || (current.length > 0 && bytes + size > MAX_TRANSACTION_BYTES)) {
      yield current;
      current = [];
      bytes = 0;
    }
    current.push(entity);
    bytes += size;
  }
  if (current.length > 0) yield current;
}

/**
 * An upper bound of an entity's size in the batch body, without serializing it: 6 bytes per
 * UTF-16 unit of every string (the longest JSON escape, \u001f; UTF-8 takes at most 3), binary as
 * base64, and room for names, quotes and type annotations.
 */
function maxJsonBytes(entity: TableEntity): number {
  let bytes = 2;
  for (const [name, value] of Object.entries(entity)) {
    bytes += name.length * 3 + 64;
    if (typeof value === "string") bytes += value.length * 6;
    else if (value instanceof Uint8Array) bytes += Math.ceil(value.length / 3) * 4;
    else bytes += 32;
  }
  return bytes;
}

/** `items` mapped lazily (for upsertInTransactions). */
export function* mapLazily<T, U>(items: Iterable<T>, map: (item: T) => U): Generator<U> {
  for (const item of items) yield map(item);
}
