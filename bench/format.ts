/** How the benchmark prints figures: whole numbers with separators, ratios, aligned tables. */

export const int = (n: number) => Math.round(n).toLocaleString("en-US");

export const ratio = (a: number, b: number) => (b === 0 ? "-" : `${(a / b).toFixed(a / b >= 10 ? 0 : 2)}×`);

/** Rows as indented lines: the first column left-aligned, the others right-aligned. */
export function aligned(rows: readonly (readonly string[])[]): string[] {
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((row) => (row[i] ?? "").length)));
  return rows.map((row) => `  ${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ")}`);
}
