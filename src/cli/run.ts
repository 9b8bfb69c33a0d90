import { StartupError } from '../config.ts';

/**
 * Runs a command-line entry point: expected problems (configuration, unreachable database,
 * failed migration) print one line and exit 1; anything else prints its stack, exit 1.
 * Exits explicitly: the schema engine leaves timers behind that would keep Node alive.
 */
export function runCli(main: () => Promise<number | void>): void {
  main().then(
    (code) => process.exit(code ?? 0),
    (error: unknown) => {
      if (error instanceof StartupError) {
        process.stderr.write(`cxgraph: ${error.message}\n`);
      } else {
        process.stderr.write(`cxgraph: unexpected error\n${(error as Error)?.stack ?? String(error)}\n`);
      }
      process.exit(1);
    },
  );
}
