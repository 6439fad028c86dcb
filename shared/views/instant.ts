/** THE date format of every rendering: the digest email, the pages, the evidence rows. */

/** `2026-10-02 13:37 UTC`: unambiguous for every reader, whatever their locale. */
export function formatInstant(date: Date): string {
  const iso = date.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** An ISO 8601 instant read from storage, as formatInstant; as it is if it does not parse (old or damaged rows still render). */
export function formatStoredInstant(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : formatInstant(date);
}
