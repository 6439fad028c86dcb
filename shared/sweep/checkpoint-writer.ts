/**
 * A scan's checkpoint in the ScanCheckpoints table (storage/checkpoints.ts), as the collector
 * (collect/resumable-collect.ts) uses it: read back once where a delivery begins, then saved one
 * save at a time, each ETag-conditional on the one before. Of two deliveries of a message that
 * continue the same checkpoint, only one can save; the other is `lost` and saves nothing more.
 */
import type { ScanCheckpoint, SavedPage } from "../collect/resumable-collect.js";
import { parseScanCursor, type ScanCursor } from "../collect/scan-cursor.js";
import type { ScanCheckpointsRepository } from "../storage/checkpoints.js";

/** A saved checkpoint: its cursor and the ETag a continuing save must match. */
export interface Checkpoint {
  readonly cursor: ScanCursor;
  readonly etag: string;
}

/** Which tenant's scan in which run. */
export interface ScanKey {
  readonly runId: string;
  readonly tenantId: string;
}

/** The scan's saved checkpoint, if any; TypeError when its cursor is unreadable. */
export async function loadCheckpoint(
  checkpoints: Pick<ScanCheckpointsRepository, "load">,
  { runId, tenantId }: ScanKey,
): Promise<Checkpoint | undefined> {
  const stored = await checkpoints.load(runId, tenantId);
  return stored ? { cursor: parseScanCursor(stored.cursor), etag: stored.etag } : undefined;
}

export class CheckpointWriter implements ScanCheckpoint {
  readonly #checkpoints: Pick<ScanCheckpointsRepository, "save" | "readChunks">;
  readonly #scan: ScanKey;
  #etag: string | undefined;
  #transactions: number;
  #lost = false;
  #saving: Promise<void> = Promise.resolve();

  /** `continued`: the saved checkpoint this invocation continues; none when the scan starts here. */
  constructor(checkpoints: Pick<ScanCheckpointsRepository, "save" | "readChunks">, scan: ScanKey, continued?: Checkpoint) {
    this.#checkpoints = checkpoints;
    this.#scan = { runId: scan.runId, tenantId: scan.tenantId };
    this.#etag = continued?.etag;
    this.#transactions = continued?.cursor.totals.checkpointTransactions ?? 0;
  }

  get lost(): boolean {
    return this.#lost;
  }

  get transactions(): number {
    return this.#transactions;
  }

  /** Whether a checkpoint is saved, which the scan deletes when it ends. */
  get saved(): boolean {
    return this.#etag !== undefined;
  }

  save(pages: readonly SavedPage[], cursor: (checkpointTransactions: number) => ScanCursor): Promise<void> {
    this.#saving = this.#saving.then(() => this.#write(pages, cursor));
    return this.#saving;
  }

  readPages(stream: SavedPage["stream"], pages: number): AsyncIterable<readonly unknown[]> {
    return this.#checkpoints.readChunks(this.#scan.runId, this.#scan.tenantId, stream, pages);
  }

  async #write(pages: readonly SavedPage[], cursor: (checkpointTransactions: number) => ScanCursor): Promise<void> {
    if (this.#lost) return;
    const update = { chunks: pages, cursor: (transactions: number) => cursor(this.#transactions + transactions) };
    const saved = await this.#checkpoints.save(this.#scan.runId, this.#scan.tenantId, update, this.#etag);
    if (saved.outcome === "conflict") {
      this.#lost = true;
      return;
    }
    this.#etag = saved.etag;
    this.#transactions += saved.transactions;
  }
}
