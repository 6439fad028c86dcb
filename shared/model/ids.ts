/** The shapes of the ids the product takes from outside: one pattern each, used everywhere. */

/** A GUID's text, unanchored: for patterns that find GUIDs inside other text (use with the `i` flag). */
export const GUID_PATTERN = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

/** An Entra object or tenant id (any GUID, case-insensitive). */
export const GUID = new RegExp(`^${GUID_PATTERN}$`, "i");

/** A DNS name of at least two labels, each 1-63 letters, digits or inner hyphens (Entra domain ids). */
export const DOMAIN_NAME =
  /^(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

export function isGuid(value: string): boolean {
  return GUID.test(value);
}

export function isDomainName(value: string): boolean {
  return DOMAIN_NAME.test(value);
}
