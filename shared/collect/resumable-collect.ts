/**
 * Collection that outlives one invocation. A huge tenant needs more wall time than the host
 * allows a function (signInActivity: 10 pages of 500 a minute, so 100,000 users take ~20 min),
 * so the scan stops reading before its budget runs out, saves where each paged collection stands
 * plus the rows read so far, and a follow-up message continues from the saved nextLinks: no page
 * is read twice, and the rows of finished pages stay saved, compact, until the invocation that
 * finishes paging reads them back to evaluate.
 *
 * Between hand-overs the collector also saves every FLUSH_EVERY_PAGES pages, so a crash (the host
 * killing the worker) re-reads at most that many pages when the queue retries the message. A
 * tenant that fits one invocation saves nothing unless it reads that many pages.
 *
 * Where it saves is the caller's ScanCheckpoint (sweep/checkpoint-writer.ts keeps it in the
 * ScanCheckpoints table), and so are deciding which delivery may collect (sweep/delivery-gate.ts)
 * and sending the follow-up (sweep/scan-tenant.ts).
 */
import type { TenantGraph } from "../graph/client.js";
import type { RetryLicenseRefusalsOptions } from "../graph/license-retry.js";
import type { RegistrationDetail, SnapshotUser, TenantSnapshot } from "../model/snapshot.js";
import type { TenantConfig } from "../model/tenant.js";
import { decodeRegistration, decodeUser, encodeRegistration, encodeUser } from "./compact.js";
import { isPagedDone, readPagedSources, type PagedCursor, type PagedPage } from "./paged.js";
import type { ScanBudget } from "./scan-budget.js";
import type { ScanCursor, ScanTotals } from "./scan-cursor.js";
import { completeSnapshot, pagedSources } from "./snapshot.js";

/** Pages read between two saves of a long scan: the most a crash makes us read again. */
export const FLUSH_EVERY_PAGES = 20;

type Stream = PagedPage["stream"];

/** One page as a checkpoint keeps it: its rows in their compact form (compact.ts). */
export interface SavedPage {
  readonly stream: Stream;
  readonly index: number;
  readonly rows: readonly unknown[];
}

/** Where a scan keeps its place between invocations. */
export interface ScanCheckpoint {
  /**
   * Saves `pages` and the cursor that counts them, after any save still under way. The cursor is
   * built knowing the scan's checkpoint transactions, this save's included.
   */
  save(pages: readonly SavedPage[], cursor: (checkpointTransactions: number) => ScanCursor): Promise<void>;
  /** Another delivery of the message saved in between: every later save is refused, stop. */
  readonly lost: boolean;
  /** Checkpoint transactions of the scan so far, earlier invocations included. */
  readonly transactions: number;
  /** The saved rows of a stream's pages 0..pages-1, page by page. */
  readPages(stream: Stream, pages: number): AsyncIterable<readonly unknown[]>;
}

export interface ResumableCollectOptions {
  readonly graph: TenantGraph;
  readonly tenantId: string;
  readonly config: TenantConfig;
  /** Where the scan stands: a saved cursor, or freshCursor(). */
  readonly from: ScanCursor;
  /** `from` is a saved checkpoint: it is claimed (saved again) before anything is read. */
  readonly resuming: boolean;
  readonly checkpoint: ScanCheckpoint;
  readonly budget: ScanBudget;
  /** How a licence 403 is retried; give `backoffScale` the Graph client's (GRAPH_TIME_SCALE). */
  readonly licenseRetry?: RetryLicenseRefusalsOptions;
  readonly onProgress?: (message: string) => void;
}

export type ResumableCollectResult =
  | {
      readonly outcome: "collected";
      readonly snapshot: TenantSnapshot;
      /** Over all the scan's invocations, this one's Graph calls included. */
      readonly totals: ScanTotals;
      readonly usersRead: number;
    }
  /** Stopped at the budget and saved: follow-up `chain` continues from here. */
  | { readonly outcome: "paused"; readonly chain: number; readonly pagesRead: number }
  /** Another delivery of this message saved first: leave the scan to it. */
  | { readonly outcome: "lost-race" };

const LOST_RACE = { outcome: "lost-race" } as const;

/**
 * Collects the tenant from `from`. Returns the snapshot when both paged collections are finished
 * in this invocation; otherwise saves for the next message of the chain and pauses.
 */
export async function collectResumable(options: ResumableCollectOptions): Promise<ResumableCollectResult> {
  const { graph, tenantId, from, checkpoint } = options;
  const progress = options.onProgress ?? (() => {});
  const pages = new InvocationPages(from.paged);
  const save = (chain: number) => saveProgress(options, pages, chain);
  graph.pacer?.importTenant(tenantId, from.pacing);
  if (options.resuming) {
    progress(`continuing from page ${from.paged.users.pages} of users and ${from.paged.registration.pages} of the registration report`);
    // Claim the checkpoint before reading: of two deliveries of one message, only one gets on.
    await save(from.chain);
    if (checkpoint.lost) return LOST_RACE;
  }

  const paged = await readPagedSources(graph.client, from.paged, {
    // At least one page per invocation, so a follow-up always makes progress.
    shouldStop: () => checkpoint.lost || (pages.count > 0 && options.budget.exhausted({ pages: pages.count })),
    licenseRetry: options.licenseRetry,
    onPage: async (page, cursor) => {
      pages.add(page, cursor);
      if (page.stream === "users") progress(`users: ${cursor.users.items.toLocaleString("en-US")} read`);
      if (pages.unsaved >= FLUSH_EVERY_PAGES) await save(from.chain);
    },
    onRestart: (stream, cursor) => {
      pages.restart(stream, cursor);
      progress(`the ${stream === "users" ? "users" : "registration report"} page link expired: reading it again from the first page`);
    },
  });
  if (checkpoint.lost) return LOST_RACE;
  pages.reached(paged);
  if (!isPagedDone(paged)) {
    await save(from.chain + 1);
    if (checkpoint.lost) return LOST_RACE;
    graph.pacer?.forgetTenant(tenantId);
    return { outcome: "paused", chain: from.chain + 1, pagesRead: pages.count };
  }
  return complete(options, pages, paged);
}

/** Both collections are finished: the saved rows and this invocation's make the snapshot. */
async function complete(options: ResumableCollectOptions, pages: InvocationPages, paged: PagedCursor): Promise<ResumableCollectResult> {
  const { graph, tenantId, from, checkpoint } = options;
  const users = paged.users.status === "done" ? await withSaved(checkpoint, "users", pages.firstPage.users, pages.users, decodeUser) : [];
  const registration =
    paged.registration.status === "done"
      ? await withSaved(checkpoint, "registration", pages.firstPage.registration, pages.registration, decodeRegistration)
      : [];
  pages.release();
  const snapshot = await completeSnapshot(
    graph,
    tenantId,
    options.config,
    { collectedAt: from.collectedAt, ...pagedSources(paged, users, registration) },
    { onProgress: options.onProgress ?? (() => {}) },
  );
  graph.pacer?.forgetTenant(tenantId);
  return { outcome: "collected", snapshot, totals: totalsSoFar(from.totals, graph, checkpoint.transactions), usersRead: users.length };
}

/** Saves the pages not saved yet and the cursor that counts them, for message `chain` to continue from. */
function saveProgress(
  { graph, tenantId, from, checkpoint }: ResumableCollectOptions,
  pages: InvocationPages,
  chain: number,
): Promise<void> {
  const { saved, cursor } = pages.takeUnsaved();
  return checkpoint.save(saved, (checkpointTransactions) => ({
    version: 1,
    chain,
    collectedAt: from.collectedAt,
    paged: cursor,
    totals: totalsSoFar(from.totals, graph, checkpointTransactions),
    pacing: graph.pacer?.exportTenant(tenantId) ?? {},
  }));
}

/** Earlier invocations' counters plus this one's Graph calls so far. */
function totalsSoFar(before: ScanTotals, graph: TenantGraph, checkpointTransactions: number): ScanTotals {
  return {
    requests: before.requests + graph.stats.requests,
    throttled: before.throttled + graph.stats.throttled,
    pacedInMs: before.pacedInMs + graph.stats.pacedInMs,
    invocations: before.invocations + 1,
    checkpointTransactions,
  };
}

/** Rows of pages 0..savedPages-1 from the checkpoint, then the rows read in this invocation. */
async function withSaved<T>(
  checkpoint: ScanCheckpoint,
  stream: Stream,
  savedPages: number,
  current: readonly T[],
  decode: (tuple: unknown) => T,
): Promise<T[]> {
  const all: T[] = [];
  for await (const rows of checkpoint.readPages(stream, savedPages)) {
    for (const tuple of rows) all.push(decode(tuple));
  }
  for (const row of current) all.push(row);
  return all;
}

/** The pages one invocation reads: their rows, held for the snapshot, and the pages not saved yet. */
class InvocationPages {
  readonly users: SnapshotUser[] = [];
  readonly registration: RegistrationDetail[] = [];
  /** Per stream, the first page read here: the pages before it are in the checkpoint. */
  readonly firstPage: Record<Stream, number>;
  #count = 0;
  #cursor: PagedCursor;
  #unsaved: PagedPage[] = [];

  constructor(from: PagedCursor) {
    this.#cursor = from;
    this.firstPage = { users: from.users.pages, registration: from.registration.pages };
  }

  /** Pages read in this invocation. */
  get count(): number {
    return this.#count;
  }

  get unsaved(): number {
    return this.#unsaved.length;
  }

  add(page: PagedPage, cursor: PagedCursor): void {
    this.#count++;
    if (page.stream === "users") for (const u of page.rows) this.users.push(u);
    else for (const r of page.rows) this.registration.push(r);
    this.#unsaved.push(page);
    this.#cursor = cursor;
  }

  /**
   * The stream's saved link expired and it is read again from page 0, so none of its rows so far
   * count, neither held here nor saved. Saved pages need no deleting: new pages replace them by
   * page number, and a saved cursor that still counts them holds the expired link, which makes any
   * invocation resuming from it start over too.
   */
  restart(stream: Stream, cursor: PagedCursor): void {
    if (stream === "users") this.users.length = 0;
    else this.registration.length = 0;
    this.#unsaved = this.#unsaved.filter((page) => page.stream !== stream);
    this.firstPage[stream] = 0;
    this.#cursor = cursor;
  }

  /** Paging ended here (done, failed or stopped by the budget). */
  reached(cursor: PagedCursor): void {
    this.#cursor = cursor;
  }

  /** The pages not saved yet, compact, with the cursor that counts them; from now on they count as saved. */
  takeUnsaved(): { readonly saved: SavedPage[]; readonly cursor: PagedCursor } {
    const saved = this.#unsaved.map(toSavedPage);
    this.#unsaved = [];
    return { saved, cursor: this.#cursor };
  }

  /** The snapshot holds the rows from here on. */
  release(): void {
    this.users.length = 0;
    this.registration.length = 0;
  }
}

function toSavedPage(page: PagedPage): SavedPage {
  return page.stream === "users"
    ? { stream: page.stream, index: page.index, rows: page.rows.map(encodeUser) }
    : { stream: page.stream, index: page.index, rows: page.rows.map(encodeRegistration) };
}
