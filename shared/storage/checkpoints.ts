/**
 * Table `ScanCheckpoints`: where a tenant scan that spans several invocations keeps its place.
 * One partition per (tenant, run): a `cursor` row (where each paged collection continues, as
 * opaque JSON) and one `chunk` row per page already read (its rows, gzipped JSON). A save writes
 * the new chunks and the cursor in one transaction when they fit, and the cursor last otherwise,
 * so the cursor never points past chunks that are not stored. The cursor write is ETag-conditional:
 * of two workers continuing the same checkpoint, only one can save.
 */
import { gunzipSync, gzipSync } from "node:zlib";
import { odata, type TableClient, type TableEntity, type TransactionAction } from "@azure/data-tables";
import { z } from "zod";
import type { TableStore } from "./connection.js";
import { isConflict, isNotFound, isPreconditionFailed } from "./errors.js";
import { assertKeySafe, assertRunId, KEY_SEPARATOR } from "./keys.js";
import { chunkForTransactions, getEntityOrUndefined, type StorageOperationOptions } from "./operations.js";

export const SCAN_CHECKPOINTS_TABLE = "ScanCheckpoints";
const CURSOR_ROW = "cursor";
const CHUNK_PREFIX = `chunk${KEY_SEPARATOR}`;
/** A binary property holds at most 64 KiB; larger chunk payloads spread over d0, d1, … */
const PIECE_BYTES = 60 * 1024;
/** An entity holds at most 1 MiB. */
const MAX_PIECES = 15;
/** Zero-padded page numbers keep chunks in page order in the partition. */
const INDEX_DIGITS = 6;
/** A string property holds 32K UTF-16 chars. */
const MAX_CURSOR_CHARS = 30_000;

export interface StoredCheckpoint {
  /** Whatever the scan saved (validated by the caller). */
  readonly cursor: unknown;
  readonly etag: string;
}

/** One page of rows, as the scan read it. */
export interface CheckpointChunk {
  /** Which collection, e.g. `users`. Letters only. */
  readonly stream: string;
  /** Page number within the collection, from 0. */
  readonly index: number;
  readonly rows: readonly unknown[];
}

export interface CheckpointUpdate {
  readonly chunks: readonly CheckpointChunk[];
  /** The cursor to store (JSON), given the number of transactions this save takes. */
  readonly cursor: (transactions: number) => unknown;
}

export type SaveCheckpointResult =
  | { readonly outcome: "saved"; readonly etag: string; readonly transactions: number }
  /** Someone else saved (or deleted) this checkpoint since `etag` was read: stop. */
  | { readonly outcome: "conflict" };

export interface ScanCheckpointsRepository {
  load(runId: string, tenantId: string, options?: StorageOperationOptions): Promise<StoredCheckpoint | undefined>;
  /**
   * Stores new chunks and the cursor. `etag` undefined: create (conflict if it exists); else
   * replace only if unchanged. The cursor is built knowing how many transactions this save takes.
   */
  save(
    runId: string,
    tenantId: string,
    update: CheckpointUpdate,
    etag: string | undefined,
    options?: StorageOperationOptions,
  ): Promise<SaveCheckpointResult>;
  /** The rows of pages 0..pages-1 of a stream, page by page, in order. */
  readChunks(
    runId: string,
    tenantId: string,
    stream: string,
    pages: number,
    options?: StorageOperationOptions,
  ): AsyncIterable<readonly unknown[]>;
  /** Removes the checkpoint; returns the transactions used. */
  delete(runId: string, tenantId: string, options?: StorageOperationOptions): Promise<number>;
}

const cursorEntity = z.object({ cursor: z.string(), etag: z.string() });

export class TableScanCheckpointsRepository implements ScanCheckpointsRepository {
  readonly #store: TableStore;

  constructor(store: TableStore) {
    this.#store = store;
  }

  async load(runId: string, tenantId: string, options: StorageOperationOptions = {}): Promise<StoredCheckpoint | undefined> {
    const entity = await getEntityOrUndefined(await this.#client(), partitionKey(runId, tenantId), CURSOR_ROW, options);
    if (!entity) return undefined;
    const row = cursorEntity.parse(entity);
    return { cursor: JSON.parse(row.cursor) as unknown, etag: row.etag };
  }

  async save(
    runId: string,
    tenantId: string,
    update: CheckpointUpdate,
    etag: string | undefined,
    options: StorageOperationOptions = {},
  ): Promise<SaveCheckpointResult> {
    const pk = partitionKey(runId, tenantId);
    const client = await this.#client();
    const chunkRows = update.chunks.map((c) => chunkEntity(pk, c));
    // The cursor stays far below a chunk's size, so sizing the groups with a placeholder holds.
    const placeholder: TableEntity = { partitionKey: pk, rowKey: CURSOR_ROW, cursor: "x".repeat(MAX_CURSOR_CHARS), savedAt: new Date() };
    const sized = chunkForTransactions([...chunkRows, placeholder]);
    const text = JSON.stringify(update.cursor(sized.length));
    if (text.length > MAX_CURSOR_CHARS) throw new RangeError(`Checkpoint cursor too large: ${text.length} chars`);
    const cursorRow: TableEntity = { ...placeholder, cursor: text };
    const groups = sized.map((group) => group.map((entity) => (entity === placeholder ? cursorRow : entity)));
    let savedEtag: string | undefined;
    try {
      for (const group of groups) {
        const response = await client.submitTransaction(
          group.map((entity): TransactionAction => {
            if (entity.rowKey !== CURSOR_ROW) return ["upsert", entity, "Replace"];
            return etag === undefined ? ["create", entity] : ["update", entity, "Replace", { etag }];
          }),
          { abortSignal: options.abortSignal },
        );
        savedEtag = response.getResponseForEntity(CURSOR_ROW)?.etag ?? savedEtag;
      }
    } catch (error) {
      if (isConflict(error) || isPreconditionFailed(error) || isNotFound(error)) return { outcome: "conflict" };
      throw error;
    }
    // Transaction responses do not always carry the ETag; read it back then.
    savedEtag ??= (await getEntityOrUndefined(client, pk, CURSOR_ROW, options))?.etag;
    if (savedEtag === undefined) return { outcome: "conflict" };
    return { outcome: "saved", etag: savedEtag, transactions: groups.length };
  }

  async *readChunks(
    runId: string,
    tenantId: string,
    stream: string,
    pages: number,
    options: StorageOperationOptions = {},
  ): AsyncIterable<readonly unknown[]> {
    if (pages <= 0) return;
    const pk = partitionKey(runId, tenantId);
    const from = chunkRowKey(stream, 0);
    const to = chunkRowKey(stream, pages);
    const client = await this.#client();
    const entities = client.listEntities<Record<string, unknown>>({
      queryOptions: { filter: odata`PartitionKey eq ${pk} and RowKey ge ${from} and RowKey lt ${to}` },
      abortSignal: options.abortSignal,
    });
    let expected = 0;
    for await (const entity of entities) {
      if (entity.rowKey !== chunkRowKey(stream, expected)) throw new Error(`Checkpoint ${pk} is missing ${stream} page ${expected}`);
      yield decodeChunk(entity);
      expected++;
    }
    if (expected !== pages) throw new Error(`Checkpoint ${pk} holds ${expected} ${stream} page(s), its cursor counts ${pages}`);
  }

  async delete(runId: string, tenantId: string, options: StorageOperationOptions = {}): Promise<number> {
    const pk = partitionKey(runId, tenantId);
    const client = await this.#client();
    const keys: TableEntity[] = [];
    const rows = client.listEntities<Record<string, unknown>>({
      queryOptions: { filter: odata`PartitionKey eq ${pk}`, select: ["RowKey"] },
      abortSignal: options.abortSignal,
    });
    for await (const row of rows) keys.push({ partitionKey: pk, rowKey: row.rowKey ?? "" });
    const groups = chunkForTransactions(keys);
    for (const group of groups) {
      try {
        await client.submitTransaction(
          group.map((e): TransactionAction => ["delete", e]),
          { abortSignal: options.abortSignal },
        );
      } catch (error) {
        // Another worker deleted some of them first: delete the rest one by one.
        if (!isNotFound(error)) throw error;
        for (const e of group)
          await client.deleteEntity(e.partitionKey, e.rowKey).catch((e2: unknown) => {
            if (!isNotFound(e2)) throw e2;
          });
      }
    }
    return groups.length;
  }

  #client(): Promise<TableClient> {
    return this.#store.table(SCAN_CHECKPOINTS_TABLE);
  }
}

function partitionKey(runId: string, tenantId: string): string {
  assertRunId(runId);
  assertKeySafe(tenantId, "tenantId");
  return `${tenantId}${KEY_SEPARATOR}${runId}`;
}

function chunkRowKey(stream: string, index: number): string {
  if (!/^[a-z]+$/i.test(stream)) throw new RangeError(`Checkpoint stream names are letters only: ${stream}`);
  if (!Number.isSafeInteger(index) || index < 0 || index >= 10 ** INDEX_DIGITS)
    throw new RangeError(`Checkpoint page index out of range: ${index}`);
  return `${CHUNK_PREFIX}${stream}${KEY_SEPARATOR}${String(index).padStart(INDEX_DIGITS, "0")}`;
}

function chunkEntity(pk: string, chunk: CheckpointChunk): TableEntity {
  const packed = gzipSync(JSON.stringify(chunk.rows));
  const pieces = Math.max(1, Math.ceil(packed.length / PIECE_BYTES));
  if (pieces > MAX_PIECES) throw new RangeError(`Checkpoint page too large to store: ${packed.length} bytes compressed`);
  const entity: TableEntity<Record<string, unknown>> = {
    partitionKey: pk,
    rowKey: chunkRowKey(chunk.stream, chunk.index),
    pieces,
    rows: chunk.rows.length,
  };
  for (let i = 0; i < pieces; i++) entity[`d${i}`] = new Uint8Array(packed.subarray(i * PIECE_BYTES, (i + 1) * PIECE_BYTES));
  return entity;
}

function decodeChunk(entity: Record<string, unknown>): readonly unknown[] {
  const pieces = entity.pieces;
  if (typeof pieces !== "number") throw new TypeError(`Checkpoint chunk ${String(entity.rowKey)} has no pieces count`);
  const parts: Uint8Array[] = [];
  for (let i = 0; i < pieces; i++) {
    const piece = entity[`d${i}`];
    if (!(piece instanceof Uint8Array)) throw new TypeError(`Checkpoint chunk ${String(entity.rowKey)} lacks piece d${i}`);
    parts.push(piece);
  }
  const rows = JSON.parse(gunzipSync(Buffer.concat(parts)).toString("utf8")) as unknown;
  if (!Array.isArray(rows)) throw new TypeError(`Checkpoint chunk ${String(entity.rowKey)} is not an array`);
  return rows;
}
