/**
 * Values written into log lines. Anything from outside (route parameters, display names, Graph
 * messages) could carry CR/LF and forge a line of its own ("x\n[remediation] done"), or bidi
 * overrides that make a line read differently than it is. Every such character is written as a
 * visible `\uXXXX` escape instead, so one log call is always one line that says what it holds.
 */

// eslint-disable-next-line no-control-regex -- escaping control characters is the point
const UNSAFE_IN_LOGS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** `value` as text fit for one log line (strings as they are, other values through String). */
export function logText(value: unknown): string {
  const text = value instanceof Error ? `${value.name}: ${value.message}` : String(value);
  return text.replace(UNSAFE_IN_LOGS, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** A tagged template for log lines: every interpolated value goes through logText. */
export function logLine(strings: TemplateStringsArray, ...values: readonly unknown[]): string {
  return strings.reduce((line, part, i) => line + (i > 0 ? logText(values[i - 1]) : "") + part, "");
}
