/**
 * Errors of the ticketing API (version 2) as RFC 9457 problem details (`application/problem+json`):
 * a type URI per kind of problem, a title, the status, a detail sentence, and for invalid input
 * every field that is wrong with what is wrong with it.
 */
import type { HttpResponseInit } from "@azure/functions";

export const PROBLEM_CONTENT_TYPE = "application/problem+json";
/** Problem types are named under this URI (documented in the OpenAPI document, not dereferenced). */
export const PROBLEM_TYPE_BASE = "https://tenant-patrol.dev/problems/";

export interface FieldError {
  /** The field's path in the body or the query, e.g. `subjectId` or `query.limit`. */
  readonly field: string;
  readonly message: string;
}

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly errors?: readonly FieldError[];
}

export interface ProblemOptions {
  readonly errors?: readonly FieldError[];
  readonly headers?: Readonly<Record<string, string>>;
}

/** A problem response: `kind` names the type (e.g. `invalid-request`), `title` is the same for every instance of it. */
export function problemResponse(
  status: number,
  kind: string,
  title: string,
  detail: string,
  options: ProblemOptions = {},
): HttpResponseInit {
  const body: Problem = {
    type: `${PROBLEM_TYPE_BASE}${kind}`,
    title,
    status,
    detail,
    ...(options.errors ? { errors: options.errors } : {}),
  };
  return { status, headers: { ...options.headers, "Content-Type": PROBLEM_CONTENT_TYPE }, body: JSON.stringify(body) };
}
