/**
 * PartitionKey / RowKey encoding. Table Storage rejects `/ \ # ?` and control characters in keys
 * (Azurite answers 400 InvalidInput) and caps a key at 1 KiB (512 UTF-16 chars in Azurite).
 * Ids we did not mint (Graph subject ids) go through encodeKeyPart; ids we trust to be key-safe
 * (tenant GUIDs, run ids) are checked, not encoded, so they stay readable and filterable.
 */

/** Azurite's key length limit (the service allows 1 KiB; Azurite counts 512 chars). */
export const MAX_KEY_CHARS = 512;

/** Joins the parts of a composite row key; never produced by encodeKeyPart. */
export const KEY_SEPARATOR = "|";

/** Stands for "no subject" (tenant-level finding); `@` is always escaped by encodeKeyPart. */
export const TENANT_SUBJECT_MARKER = "@tenant";

// eslint-disable-next-line no-control-regex -- these control characters are exactly what the service forbids
const FORBIDDEN_KEY_CHARS = /[\u0000-\u001f\u007f-\u009f/\\#?]/;
const PLAIN_BYTE = /^[A-Za-z0-9.-]$/;
const ENCODED_PART = /^(?:[A-Za-z0-9.-]|_[0-9A-F]{2})*$/;

/**
 * Reversible, key-safe encoding of any well-formed string: `[A-Za-z0-9.-]` stay as they are (GUIDs,
 * domains and control ids remain readable), every other UTF-8 byte becomes `_XX` (upper-case hex).
 */
export function encodeKeyPart(value: string): string {
  let encoded = "";
  for (const byte of Buffer.from(value, "utf8")) {
    const char = String.fromCharCode(byte);
    encoded += PLAIN_BYTE.test(char) ? char : `_${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return encoded;
}

/** Inverse of encodeKeyPart; RangeError for text encodeKeyPart cannot have produced. */
export function decodeKeyPart(encoded: string): string {
  if (!ENCODED_PART.test(encoded)) throw new RangeError(`Not an encoded key part: ${encoded}`);
  try {
    // The escape alphabet is percent-encoding with `_` for `%`, and `%` never appears plain.
    return decodeURIComponent(encoded.replaceAll("_", "%"));
  } catch (error) {
    throw new RangeError(`Encoded key part is not UTF-8: ${encoded}`, { cause: error });
  }
}

/** RangeError unless `value` can be used as a key (or a key part) as it is. */
export function assertKeySafe(value: string, what: string): void {
  if (value.length === 0 || value.length > MAX_KEY_CHARS || FORBIDDEN_KEY_CHARS.test(value)) {
    throw new RangeError(`${what} cannot be a table key: ${JSON.stringify(value)}`);
  }
}

/** Row key of a finding: encoded control + encoded subject (or the tenant marker). */
export function findingRowKey(control: string, subjectId: string | null): string {
  const subject = subjectId === null ? TENANT_SUBJECT_MARKER : encodeKeyPart(subjectId);
  return checkedKey(`${encodeKeyPart(control)}${KEY_SEPARATOR}${subject}`);
}

/**
 * Row key of a finding event: run id first, so one run's events are one key range and the
 * partition reads in time order. `suffix` sets apart an event that is not the finding's status
 * event of that run (an acceptance event: its kind).
 */
export function findingEventRowKey(runId: string, control: string, subjectId: string | null, suffix?: string): string {
  assertRunId(runId);
  const key = `${runId}${KEY_SEPARATOR}${findingRowKey(control, subjectId)}`;
  return checkedKey(suffix === undefined ? key : `${key}${KEY_SEPARATOR}${encodeKeyPart(suffix)}`);
}

/** Smallest and first-excluded row keys of the events of `runId` (`}` follows `|`). */
export function findingEventRange(runId: string): { readonly from: string; readonly to: string } {
  assertRunId(runId);
  return { from: `${runId}${KEY_SEPARATOR}`, to: `${runId}}` };
}

/** Smallest and first-excluded row keys of one control's findings. */
export function findingControlRange(control: string): { readonly from: string; readonly to: string } {
  const prefix = encodeKeyPart(control);
  return { from: `${prefix}${KEY_SEPARATOR}`, to: `${prefix}}` };
}

function checkedKey(key: string): string {
  if (key.length > MAX_KEY_CHARS) throw new RangeError(`Key longer than ${MAX_KEY_CHARS} chars: ${key.slice(0, 80)}…`);
  return key;
}

const RUN_ID = /^\d{8}T\d{6}\.\d{3}Z$/;

/**
 * Run id of a sweep that started (or was scheduled) at `at`: compact ISO 8601 in UTC,
 * e.g. `20250131T020000.000Z`. Fixed width, so string order is time order.
 */
export function runIdAt(at: Date): string {
  const runId = at.toISOString().replaceAll("-", "").replaceAll(":", "");
  assertRunId(runId);
  return runId;
}

export function isRunId(value: string): boolean {
  return RUN_ID.test(value);
}

export function assertRunId(value: string): void {
  if (!isRunId(value)) throw new RangeError(`Not a run id (expected e.g. 20250131T020000.000Z): ${value}`);
}

/**
 * Key that sorts run ids newest first: each digit d becomes 9 - d. Table Storage only returns
 * ascending row keys, so this lets "latest N runs" read N rows. Applying it twice gives the run id.
 */
export function descendingRunKey(runId: string): string {
  assertRunId(runId);
  return runId.replace(/\d/g, (digit) => String(9 - Number(digit)));
}
