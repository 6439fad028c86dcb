/**
 * Schemas for reading entities back: the table hands out untyped bags, and a row written by an
 * older version or by hand should fail loudly with the column named, not flow on as `any`.
 */
import { z } from "zod";
import { CONTROL_IDS, SEVERITIES, type FindingStatus } from "../model/findings.js";

/** A mapped type, so adding a status to the model fails to compile until it is listed here. */
const FINDING_STATUS: { readonly [S in FindingStatus]: S } = {
  fail: "fail",
  pass: "pass",
  unknown: "unknown",
  "not-applicable": "not-applicable",
};

export const findingStatusColumn = z.enum(FINDING_STATUS);
export const controlColumn = z.enum(CONTROL_IDS);
export const severityColumn = z.enum(SEVERITIES);

/** Table Storage stores no nulls: an absent property reads back as null. */
export const optionalDateColumn = z
  .date()
  .optional()
  .transform((value) => value ?? null);

export const optionalStringColumn = z
  .string()
  .optional()
  .transform((value) => value ?? null);

/** A string column holding JSON that must match `schema`. */
export function jsonColumn<T extends z.ZodType>(schema: T) {
  return z
    .string()
    .transform((text, ctx): unknown => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.issues.push({ code: "custom", message: "Column is not valid JSON", input: text });
        return z.NEVER;
      }
    })
    .pipe(schema);
}
