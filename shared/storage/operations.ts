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
export async function listAll(
  client: TableClient,
  filter: string,
  options: StorageOperationOptions = {},
): Promise<RawEntity[]> {
  const entities: RawEntity[] = [];
  const pages = client.listEntities<Record<string, unknown>>({ queryOptions: { filter }, abortSignal: options.abortSignal });
  for await (const entity of pages) entities.push(entity);
  return entities;
}

/** A transaction holds at most 100 operations, all in one partition. */
export const MAX_TRANSACTION_OPERATIONS = 100;
/** The service caps a batch body at 4 MiB; the rest is headroom for the multipart envelope. */
export const MAX_TRANSACTION_BYTES = 3.5 * 1024 * 1024;
/** Multipart headers around each operation in a batch body, generously. */
const OPERATION_OVERHEAD_BYTES = 1024;

/**
 * Upserts (Replace: properties left out are removed) in as few transactions as the limits allow,
 * one after the other. Entities must share a partition key and have distinct row keys.
 * Returns the number of transactions submitted.
 */
export async function upsertInTransactions(
  client: TableClient,
  entities: readonly TableEntity[],
  options: StorageOperationOptions = {},
): Promise<number> {
  const chunks = chunkForTransactions(entities);
  for (const chunk of chunks) {
    await client.submitTransaction(
      chunk.map((entity): TransactionAction => ["upsert", entity, "Replace"]),
      { abortSignal: options.abortSignal },
    );
  }
  return chunks.length;
}

/** Splits entities into runs that respect both the operation count and the body size limits. */
export function chunkForTransactions<T extends TableEntity>(entities: readonly T[]): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const entity of entities) {
    const size = Buffer.byteLength(JSON.stringify(entity)) + OPERATION_OVERHEAD_BYTES;
    if (current.length === MAX_TRANSACTION_OPERATIONS || (current.length > 0 && bytes + size > MAX_TRANSACTION_BYTES)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entity);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
