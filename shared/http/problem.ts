/**
 * Errors of the ticketing API (version 2) and the findings API as RFC 9457 problem details (`application/problem+json`):
 * a type URI per kind of problem, a title, the status, a detail sentence, and for invalid input
 * every field that is wrong with what is wrong with it.
 */
import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import type { z } from "zod";

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

export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly response: HttpResponseInit };

/** The body as JSON checked by `schema`: 413 above `maxBytes`, 400 naming each invalid field. */
export async function parseJsonBody<T>(request: HttpRequest, maxBytes: number, schema: z.ZodType<T, unknown>): Promise<Checked<T>> {
  const tooLarge = problemResponse(413, "body-too-large", "Body too large", `The request body must be at most ${maxBytes} bytes.`);
  if (Number(request.headers.get("content-length") ?? "0") > maxBytes) return { ok: false, response: tooLarge };
  const raw = await request.text();
  if (Buffer.byteLength(raw, "utf8") > maxBytes) return { ok: false, response: tooLarge };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, response: invalidRequest([{ field: "body", message: "must be JSON" }]) };
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, response: invalidRequest(fieldErrors(parsed.error)) };
}

/** Zod issues as named fields (`prefix` e.g. `query.`). */
export function fieldErrors(error: z.ZodError, prefix = ""): FieldError[] {
  return error.issues.flatMap((issue) => {
    // An unknown field is named itself, not its parent object.
    const paths = issue.code === "unrecognized_keys" ? issue.keys.map((k) => [...issue.path, k]) : [issue.path];
    return paths.map((path) => ({
      field: `${prefix}${path.join(".")}` || "body",
      message: issue.code === "unrecognized_keys" ? "is not a field of this request" : issue.message,
    }));
  });
}

/** 400 naming every invalid field. */
export function invalidRequest(errors: readonly FieldError[]): HttpResponseInit {
  return problemResponse(
    400,
    "invalid-request",
    "Invalid request",
    `${errors.length} invalid ${errors.length === 1 ? "field" : "fields"}: ${errors.map((e) => e.field).join(", ")}.`,
    { errors },
  );
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponseInit {
  return { status, headers: { ...headers, "Content-Type": "application/json" }, body: JSON.stringify(body) };
}
