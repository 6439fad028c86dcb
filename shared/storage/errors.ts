/**
 * Named checks for the storage answers we expect and handle. Anything else propagates.
 * `statusCode` is the reliable field: the SDK leaves `code` undefined on single-entity errors.
 */
import { isRestError, type RestError } from "@azure/core-rest-pipeline";

/** 404: entity (or table) absent. */
export function isNotFound(error: unknown): error is RestError {
  return hasStatus(error, 404);
}

/** 409: e.g. EntityAlreadyExists on insert. */
export function isConflict(error: unknown): error is RestError {
  return hasStatus(error, 409);
}

/** 412 UpdateConditionNotSatisfied: the ETag we held is stale, someone else wrote first. */
export function isPreconditionFailed(error: unknown): error is RestError {
  return hasStatus(error, 412);
}

function hasStatus(error: unknown, statusCode: number): error is RestError {
  return isRestError(error) && error.statusCode === statusCode;
}
