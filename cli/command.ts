/**
 * What the project's command-line entry points share (npm run tenants, sweep, dev, the fixture
 * generator): how a usage mistake is told apart, and how a command ends.
 */

/** A mistake in the command line: the command exits with 2 and points to its --help. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

type ErrorClass = abstract new (...args: never[]) => Error;

export interface RunCommandOptions {
  /** Prefix of error lines, e.g. "sweep". */
  readonly name: string;
  /** How to ask for help, e.g. "npm run sweep -- --help". */
  readonly help: string;
  /** Errors the user can fix besides UsageError (bad settings, fixtures…): message only, exit 2. */
  readonly expected: readonly ErrorClass[];
}

/**
 * Runs `main` and exits with its code (0 when it returns nothing). Usage mistakes and expected
 * errors print their message and exit 2; anything else prints its stack and exits 1.
 */
export function runCommand(main: () => Promise<number | void>, options: RunCommandOptions): void {
  main().then(
    (code) => process.exit(code ?? 0),
    (e: unknown) => {
      const known = e instanceof UsageError || options.expected.some((type) => e instanceof type);
      process.stderr.write(`\n${options.name}: ${e instanceof Error ? e.message : String(e)}\n`);
      if (e instanceof UsageError) process.stderr.write(`Run \`${options.help}\` for usage.\n`);
      if (!known && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
      process.exit(known ? 2 : 1);
    },
  );
}
