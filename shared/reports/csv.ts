/**
 * CSV (RFC 4180) for the action plan an MSP fills in: one row per finding or event. Display names
 * are chosen by whoever controls an account, so a cell a spreadsheet would read as a formula (`=`,
 * `+`, `-`, `@`, and tab or carriage return, which some spreadsheets strip first) gets a leading `'`
 * (OWASP "CSV Injection"): it then shows as text.
 */
import { CONTROLS } from "../controls/index.js";
import { isOpenFinding, type FindingEvent } from "../model/stored.js";
import { accountOf, evidenceRows } from "../views/evidence.js";
import type { ReportedFinding } from "./queries.js";

export const CSV_CONTENT_TYPE = "text/csv; charset=utf-8";

const FINDING_COLUMNS = [
  "control",
  "control title",
  "severity",
  "subject id",
  "display name",
  "user principal name",
  "status",
  "first seen",
  "last seen",
  "resolved",
  "accepted until",
  "evidence",
  "owner",
  "due",
  "justification",
] as const;

const EVENT_COLUMNS = [
  "at",
  "run",
  "event",
  "control",
  "subject id",
  "status before",
  "status after",
  "by",
  "reason",
  "accepted until",
] as const;

/** The header and one row per finding; `owner`, `due` and `justification` are left for the MSP. */
export function findingsCsv(items: readonly ReportedFinding[], withHeader: boolean): string {
  const rows = items.map(({ finding: f, acceptance }) => {
    const account = accountOf(f.detail);
    return [
      f.control,
      CONTROLS.find((c) => c.id === f.control)?.title ?? f.control,
      f.severity,
      f.subjectId ?? "",
      account.displayName ?? "",
      account.userPrincipalName ?? "",
      acceptance && isOpenFinding(f) ? "accepted" : isOpenFinding(f) ? f.status : "resolved",
      iso(f.firstSeen),
      iso(f.lastSeen),
      f.resolvedAt ? iso(f.resolvedAt) : "",
      acceptance ? iso(acceptance.expiresAt) : "",
      evidenceRows({ control: f.control, subjectId: f.subjectId, evidence: f.detail })
        .map((row) => `${row.label}: ${row.value}`)
        .join("; "),
      "",
      "",
      "",
    ];
  });
  return csv(withHeader ? [[...FINDING_COLUMNS], ...rows] : rows);
}

export function eventsCsv(events: readonly FindingEvent[], withHeader: boolean): string {
  const rows = events.map((e) => [
    iso(e.at),
    e.runId ?? "",
    e.event,
    e.control,
    e.subjectId ?? "",
    e.statusBefore ?? "",
    e.statusAfter,
    e.acceptance?.by ?? "",
    e.acceptance?.reason ?? "",
    e.acceptance ? iso(e.acceptance.expiresAt) : "",
  ]);
  return csv(withHeader ? [[...EVENT_COLUMNS], ...rows] : rows);
}

/** Rows as RFC 4180 text (CRLF line ends), every cell neutralised and quoted when it needs to be. */
export function csv(rows: readonly (readonly string[])[]): string {
  return rows.map((row) => row.map(cell).join(",") + "\r\n").join("");
}

function cell(value: string): string {
  const neutral = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(neutral) ? `"${neutral.replaceAll('"', '""')}"` : neutral;
}

function iso(date: Date): string {
  return date.toISOString();
}
