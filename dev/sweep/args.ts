import { parseArgs } from "node:util";
import { UsageError } from "../../cli/command.js";

export interface SweepArgs {
  readonly fixtures: readonly string[];
  readonly asOf: Date;
  readonly jsonPath: string | undefined;
  readonly fresh: boolean;
  /** Azurite data folder of the embedded default. */
  readonly dataDir: string | undefined;
  readonly help: boolean;
}

export const USAGE = `Usage: npm run sweep -- [--fixture <tenant.json>]... [--as-of <ISO-8601 instant>] [--json <out.json>] [--fresh]

Runs one full sweep through the same code path as the nightly timer and the scan queue
functions, and prints a summary per tenant.

With no Azure settings in the environment it runs on an embedded default: Azurite (data kept in
.data/azurite) and the Graph simulator serving the demo tenants (dev/fixtures/tenants), or the
tenant fixtures given with --fixture. With AzureWebJobsStorage and GRAPH_CLIENT_ID/SECRET set, it
sweeps the real tenants registered in Table Storage.

  --fixture <file>   load this tenant fixture into the simulator and sweep it (repeatable)
  --as-of <instant>  evaluation instant, e.g. 2026-11-28T02:00:00Z (default: now)
  --json <file>      also write the results as JSON to this file
  --fresh            start the embedded default with empty storage (forget earlier runs)
  --data <dir>       keep the embedded default's Azurite data in <dir> (default .data/azurite)
  --help             show this help`;

/** ISO-8601 with a date, a time and an explicit zone; Date.parse alone accepts too much. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

export function parseSweepArgs(argv: readonly string[], now: () => Date = () => new Date()): SweepArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        fixture: { type: "string", multiple: true },
        "as-of": { type: "string" },
        json: { type: "string" },
        fresh: { type: "boolean" },
        data: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  const asOfText = values["as-of"];
  if (asOfText !== undefined && (!ISO_INSTANT.test(asOfText) || Number.isNaN(Date.parse(asOfText)))) {
    throw new UsageError(`--as-of "${asOfText}" is not an ISO-8601 instant with a time zone, e.g. 2026-11-28T02:00:00Z`);
  }
  if (values.json === "") throw new UsageError("--json needs a file path");
  if (values.data === "") throw new UsageError("--data needs a folder");
  return {
    fixtures: values.fixture ?? [],
    asOf: asOfText === undefined ? now() : new Date(asOfText),
    jsonPath: values.json,
    fresh: values.fresh ?? false,
    dataDir: values.data,
    help: values.help ?? false,
  };
}
