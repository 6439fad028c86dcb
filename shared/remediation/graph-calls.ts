/**
 * The Graph calls remediations make, each tagged with the step it belongs to so a refusal can name
 * the permission that step needs. Writes return Graph's request-id (read from the raw response:
 * the SDK hands parsed bodies only, without headers).
 */
import { ResponseType, type Client } from "@microsoft/microsoft-graph-client";
import { graphErrorFrom, isGraphError } from "../graph/errors.js";
import type { GraphVersion } from "../graph/paging.js";
import type { GraphStep } from "./permissions.js";

/** A Graph (or transport) failure during one step. */
export class StepError extends Error {
  override readonly name = "StepError";
  constructor(
    readonly step: GraphStep,
    override readonly cause: unknown,
  ) {
    super(`could not ${step.doing}`, { cause });
  }
}

export function isStepError(e: unknown): e is StepError {
  return e instanceof StepError;
}

/** Runs one call of `step`; any failure becomes a StepError naming the step. */
export async function step<T>(graphStep: GraphStep, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    throw new StepError(graphStep, e);
  }
}

/** Like `step`, but a Graph 404 (the object is gone) is `undefined` instead of an error. */
export async function stepOrMissing<T>(graphStep: GraphStep, call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (e) {
    if (isGraphError(e) && e.statusCode === 404) return undefined;
    throw new StepError(graphStep, e);
  }
}

export interface GraphWrite {
  readonly method: "PATCH" | "POST";
  /** Resource path without version, e.g. `/users/{id}`. */
  readonly path: string;
  readonly version?: GraphVersion;
  readonly body?: unknown;
}

/** Sends a write; resolves to Graph's `request-id` header, rejects with a GraphError on a non-2xx answer. */
export async function sendWrite(client: Client, write: GraphWrite): Promise<string | null> {
  const request = client
    .api(write.path)
    .version(write.version ?? "v1.0")
    .responseType(ResponseType.RAW);
  const response = (write.method === "PATCH" ? await request.patch(write.body ?? {}) : await request.post(write.body)) as Response;
  // RAW hands back every response as it came, errors included.
  const text = await response.text();
  if (!response.ok)
    throw graphErrorFrom({ status: response.status, body: text, headers: response.headers, fallbackMessage: response.statusText });
  return response.headers.get("request-id");
}

/** Graph's request-id for an error, when it has one. */
export function requestIdOf(e: unknown): string | null {
  const cause = isStepError(e) ? e.cause : e;
  return isGraphError(cause) ? cause.requestId : null;
}
