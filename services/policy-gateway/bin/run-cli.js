// Runs the CLI module (compiled or source) with the process's arguments and exits with its code.

/** @param {{ runCli(args: readonly string[]): Promise<number> }} cli */
export async function runCliAndExit(cli) {
  const code = await cli.runCli(process.argv.slice(2));
  // Exit only once the command has finished (`serve` resolves after a graceful shutdown) and
  // its output is flushed; an embedded database's worker must not keep the process alive.
  process.stdout.write('', () => process.exit(code));
}
