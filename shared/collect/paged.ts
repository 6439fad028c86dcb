/**
 * The two collections that grow with the tenant, read page by page so a scan can stop between
 * pages and continue later from where it stood: users (with signInActivity, 500 per page) and the
 * MFA/SSPR registration report (999 per page). Both are read at the same time: sign-in pages are
 * limited to 10 a minute, and the report's pages fit in what the reports limit leaves.
 *
 * The cursor is plain JSON (it is stored between invocations) and counts the pages it has moved
 * past; a page's rows go to `onPage` before the next page is requested.
 *
 * Both are licence-gated (P1), and Graph refuses them now and then on licensed tenants with the
 * Free tenant's 403: a page refused so is asked for again a few times before the refusal counts
 * (graph/license-retry.ts). Sign-in activity also needs AuditLog.Read.All: without it Graph answers
 * a permission 403 (never retried) and users are listed without it, as without the licence.
 *
 * A saved nextLink can expire before the follow-up invocation uses it (Graph's 400
 * Directory_ExpiredPageToken): that collection then starts over from its first page, and the
 * caller drops the rows it holds of it (`onRestart`), so no row is counted twice.
 */
import type { Client } from "@microsoft/microsoft-graph-client";
import { EXPIRED_PAGE_TOKEN } from "../graph/errors.js";
import { retryLicenseRefusals, type RetryLicenseRefusalsOptions } from "../graph/license-retry.js";
import { listPages, type ListRequest } from "../graph/paging.js";
import type { RegistrationDetail, SnapshotUser, Source } from "../model/snapshot.js";
import { REGISTRATION_DETAILS_REQUEST, toRegistrationDetail } from "./directory.js";
import { readSource } from "./source.js";
import { toSnapshotUser, usersRequest } from "./users.js";

export type FailedSource = Extract<Source<unknown>, { ok: false }>;

export interface StreamCursor {
  readonly status: "reading" | "done" | "failed";
  /** The next page's @odata.nextLink; absent before the first page. */
  readonly next?: string;
  /** Pages read so far (page numbers 0..pages-1). */
  readonly pages: number;
  readonly items: number;
  readonly failure?: FailedSource;
  /** Times this collection started over because Graph refused its nextLink as expired. */
  readonly restarts?: number;
}

export interface UsersCursor extends StreamCursor {
  /** True while signInActivity is being read; false once Graph refused it (licence or permission). */
  readonly withSignIn: boolean;
  /** Why sign-in activity is missing, when Graph refused it. */
  readonly signInFailure?: FailedSource;
}

export interface PagedCursor {
  readonly users: UsersCursor;
  readonly registration: StreamCursor;
}

export const PAGED_START: PagedCursor = {
  users: { status: "reading", pages: 0, items: 0, withSignIn: true },
  registration: { status: "reading", pages: 0, items: 0 },
};

export type PagedPage =
  | { readonly stream: "users"; readonly index: number; readonly rows: readonly SnapshotUser[] }
  | { readonly stream: "registration"; readonly index: number; readonly rows: readonly RegistrationDetail[] };

export interface ReadPagedOptions {
  /** Asked before each page: true stops both collections where they are (time budget). */
  readonly shouldStop: () => boolean;
  /** Each page, with the cursor that now counts it. Awaited before the next page of that collection. */
  readonly onPage: (page: PagedPage, cursor: PagedCursor) => Promise<void> | void;
  /** The collection starts over from its first page: every row of it read so far no longer counts. */
  readonly onRestart: (stream: PagedPage["stream"], cursor: PagedCursor) => Promise<void> | void;
  /** How a licence 403 is retried; give `backoffScale` the Graph client's (GRAPH_TIME_SCALE). */
  readonly licenseRetry?: RetryLicenseRefusalsOptions;
}

/** How often one collection may start over in a scan: links that expire every time fail it instead. */
export const MAX_RESTARTS = 2;

export function isPagedDone(cursor: PagedCursor): boolean {
  return cursor.users.status !== "reading" && cursor.registration.status !== "reading";
}

/**
 * Reads both collections from `cursor` until both are done (or failed) or `shouldStop` says so,
 * and returns the cursor reached. A collection that fails is recorded as failed with the reason;
 * without Entra ID P1 (Graph's licence 403, repeated) or AuditLog.Read.All (a permission 403) users
 * are listed again without signInActivity. Authentication failures (nothing in the tenant is
 * readable) propagate.
 */
export async function readPagedSources(client: Client, start: PagedCursor, options: ReadPagedOptions): Promise<PagedCursor> {
  let cursor = start;
  const update = (next: Partial<PagedCursor>): PagedCursor => (cursor = { ...cursor, ...next });

  const users = async () => {
    while (cursor.users.status === "reading" && !options.shouldStop()) {
      const u = cursor.users;
      const page = await readPage(client, usersRequest(u.withSignIn), u.next, options.licenseRetry);
      if (!page.ok) {
        if (mayRestart(u, page)) {
          await options.onRestart("users", update({ users: restarted(u) }));
        } else if (u.withSignIn && u.pages === 0 && (page.reason === "license" || page.reason === "permission")) {
          update({ users: { status: "reading", pages: 0, items: 0, withSignIn: false, signInFailure: page } });
        } else {
          update({ users: { ...u, status: "failed", failure: page } });
        }
        continue;
      }
      const rows = page.data.items.map(toSnapshotUser);
      const next = page.data.continuationToken;
      const now = update({
        users: { ...withNext(u, next), status: next ? "reading" : "done", pages: u.pages + 1, items: u.items + rows.length },
      });
      await options.onPage({ stream: "users", index: u.pages, rows }, now);
    }
  };

  const registration = async () => {
    while (cursor.registration.status === "reading" && !options.shouldStop()) {
      const r = cursor.registration;
      const page = await readPage(client, REGISTRATION_DETAILS_REQUEST, r.next, options.licenseRetry);
      if (!page.ok) {
        if (mayRestart(r, page)) await options.onRestart("registration", update({ registration: restarted(r) }));
        else update({ registration: { ...r, status: "failed", failure: page } });
        continue;
      }
      const rows = page.data.items.map(toRegistrationDetail);
      const next = page.data.continuationToken;
      const now = update({
        registration: { ...withNext(r, next), status: next ? "reading" : "done", pages: r.pages + 1, items: r.items + rows.length },
      });
      await options.onPage({ stream: "registration", index: r.pages, rows }, now);
    }
  };

  await Promise.all([users(), registration()]);
  return cursor;
}

/** Graph refused the stream's saved nextLink as expired: the listing can only be read again from its first page. */
function mayRestart(c: StreamCursor, page: FailedSource): boolean {
  return c.next !== undefined && page.code === EXPIRED_PAGE_TOKEN && (c.restarts ?? 0) < MAX_RESTARTS;
}

/** The stream back at its first page (users keep whether they are read with signInActivity). */
function restarted<C extends StreamCursor>(c: C): C {
  const { next: _next, ...rest } = c;
  return { ...rest, status: "reading", pages: 0, items: 0, restarts: (c.restarts ?? 0) + 1 } as C;
}

function withNext<C extends StreamCursor>(c: C, next: string | undefined): C {
  const { next: _previous, ...rest } = c;
  return (next === undefined ? rest : { ...rest, next }) as C;
}

interface RawPage {
  readonly items: Record<string, unknown>[];
  readonly continuationToken?: string;
}

/**
 * One page at `next` (or the first page), as a source: failures other than authentication are
 * data, and a licence 403 is only one once Graph has repeated it.
 */
function readPage(
  client: Client,
  request: ListRequest,
  next: string | undefined,
  licenseRetry?: RetryLicenseRefusalsOptions,
): Promise<Source<RawPage>> {
  return readSource(() => retryLicenseRefusals(() => firstPage(client, request, next), licenseRetry));
}

async function firstPage(client: Client, request: ListRequest, next: string | undefined): Promise<RawPage> {
  const pages = listPages<Record<string, unknown>>(client, request, next === undefined ? {} : { continuationToken: next });
  try {
    const first = await pages.next();
    if (first.done === true) throw new TypeError(`Graph answered ${request.path} with no page`);
    return first.value;
  } finally {
    await pages.return(undefined);
  }
}
