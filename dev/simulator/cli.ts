/**
 * Runs the Graph simulator from a shell:
 *   tsx dev/simulator/cli.ts --fixture a.json [--fixture b.json] [--port 8443] [--no-throttling] [--time-scale 0.01]
 * Clients must trust dev/simulator/certs/ca.pem (NODE_EXTRA_CA_CERTS).
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { FixtureError, startGraphSimulator, TEST_APP_CLIENT_ID, TEST_APP_CLIENT_SECRET } from "./index.js";

const USAGE = "usage: simulator --fixture <file.json> [--fixture <file.json>] [--port 8443] [--no-throttling] [--time-scale 0.01]";

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

function readOptions(): { fixtures: string[]; port: number; throttling: { enabled: boolean; timeScale: number } } {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        fixture: { type: "string", multiple: true },
        port: { type: "string", default: "8443" },
        "no-throttling": { type: "boolean", default: false },
        "time-scale": { type: "string", default: "1" },
        help: { type: "boolean", default: false },
      },
    }));
  } catch (error) {
    fail(`${(error as Error).message}\n${USAGE}`);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const fixtures = values.fixture ?? [];
  if (fixtures.length === 0) fail(`at least one --fixture is required\n${USAGE}`);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) fail(`--port must be 0–65535, got '${values.port}'`);
  const timeScale = Number(values["time-scale"]);
  if (!(timeScale > 0)) fail(`--time-scale must be a number > 0, got '${values["time-scale"]}'`);
  return { fixtures, port, throttling: { enabled: !values["no-throttling"], timeScale } };
}

async function main(): Promise<void> {
  const options = readOptions();
  const sim = await startGraphSimulator(options).catch((error: unknown) => {
    if (error instanceof FixtureError) fail(error.message);
    if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") fail(`port ${options.port} is already in use (try --port 0)`);
    throw error;
  });
  const lines = [
    `Graph simulator listening on ${sim.baseUrl}`,
    `  Graph base URL:  ${sim.baseUrl}   (v1.0 and beta)`,
    `  authority host:  ${sim.authorityHost}`,
    `  test app:        client id ${TEST_APP_CLIENT_ID}`,
    `                   client secret ${TEST_APP_CLIENT_SECRET}`,
    `  throttling:      ${options.throttling.enabled ? `on, time scale ${options.throttling.timeScale}` : "off"}`,
    "  tenants:",
    ...sim.tenantIds.map((id) => {
      const tenant = sim.tenant(id);
      return `    ${id}  ${tenant.displayName} (${tenant.license})`;
    }),
    `Clients must trust the test CA: NODE_EXTRA_CA_CERTS=${path.relative(process.cwd(), path.join(import.meta.dirname, "certs", "ca.pem"))}`,
  ];
  console.log(lines.join("\n"));
  const stop = (): void => {
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

await main();
