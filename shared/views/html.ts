/**
 * HTML building for every view (digest email, approval page, dev pages): ONE display function,
 * `displayHtml`, and an `html` tagged template that passes every interpolated value through it
 * unless it is already SafeHtml. Build markup only through `html`; `trustedHtml` is for constant
 * markup written in this codebase, never for data. Plain-text parts (the digest's text, mail
 * subjects) use `displayText`, the same cleaning without the escaping.
 */

const ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
  "`": "&#96;",
};

/** Escapes text for an HTML text node or a quoted attribute value. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (char) => ESCAPES[char] ?? char);
}

/** Markup that is safe to emit as it is: made by `html`, or constant markup via `trustedHtml`. */
export class SafeHtml {
  readonly #markup: string;

  constructor(markup: string) {
    this.#markup = markup;
  }

  toString(): string {
    return this.#markup;
  }
}

/** Values `html` accepts: text is shown through displayHtml; SafeHtml (and arrays of it) are inserted as they are. */
export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

/**
 * `html\`<p>${name}</p>\`` shows `name` through displayHtml: cleaned, then escaped. The cleaning is
 * here rather than left to callers because a display name with a bidi override reads as something
 * else wherever one caller forgot it. null/undefined/false render nothing; arrays are joined.
 * Interpolate attribute values only inside double quotes. Line breaks become spaces: for text
 * whose lines matter (a <pre>), interpolate `preformatted(text)`.
 */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  let markup = strings[0] ?? "";
  values.forEach((value, i) => {
    markup += render(value) + (strings[i + 1] ?? "");
  });
  return new SafeHtml(markup);
}

/** Constant markup from our own code (e.g. a doctype). Never pass data through this. */
export function trustedHtml(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return "";
  if (value instanceof SafeHtml) return value.toString();
  if (Array.isArray(value)) return (value as readonly HtmlValue[]).map(render).join("");
  return displayHtml(String(value));
}

/** C0/C1 controls except tab and line breaks (those become spaces), and every Unicode Bidi_Control. */
// eslint-disable-next-line no-control-regex -- removing control characters is the point
const CONTROL_AND_BIDI = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const LINE_BREAKS_AND_TABS = /[\t\n\r\u2028\u2029]+/g;

/**
 * Text from outside (display names, UPNs) made fit to show: C0/C1 control characters and bidi
 * controls (which can make "gpj.exe" read as "exe.jpg") removed, line breaks and tabs become spaces.
 * For plain text (the digest's text part); markup gets it through displayHtml, which also escapes.
 */
export function displayText(value: string): string {
  return value.replace(CONTROL_AND_BIDI, "").replace(LINE_BREAKS_AND_TABS, " ");
}

/** At most `max` characters, an ellipsis marking the cut. */
export function truncate(value: string, max: number): string {
  return value.length <= max ? value : `${value.slice(0, max - 1)}…`;
}

/** THE display function for markup: text from anywhere, cleaned by displayText, then escaped. */
export function displayHtml(value: string): string {
  return escapeHtml(displayText(value));
}

/** Text for a <pre>: every line shown through displayHtml, the line breaks between them kept. */
export function preformatted(value: string): SafeHtml {
  return new SafeHtml(
    value
      .split(/\r\n|\r|\n/)
      .map(displayHtml)
      .join("\n"),
  );
}
