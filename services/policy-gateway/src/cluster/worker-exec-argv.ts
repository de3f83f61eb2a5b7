/**
 * The node options `serve`'s cluster workers start with: the primary's own, plus the young
 * generation's semi-space size (`POLICY_GATEWAY_WORKER_SEMI_SPACE_MB`). A decision allocates
 * tens of kilobytes that die within milliseconds; with V8's default semi-space (16 MiB) the
 * scavenger ran every few dozen decisions and copied every request in flight each time, and a
 * larger one runs it less often for the same copying. A size the operator already gave node
 * (`--max-semi-space-size` in the primary's options or in `NODE_OPTIONS`) is left as it is.
 */

const SEMI_SPACE_FLAG = '--max-semi-space-size';

/**
 * @example
 * workerExecArgv(['--enable-source-maps'], undefined, 64);
 * // ['--enable-source-maps', '--max-semi-space-size=64']
 */
export function workerExecArgv(
  primaryExecArgv: readonly string[],
  nodeOptions: string | undefined,
  semiSpaceMb: number,
): string[] {
  // V8 reads `--max_semi_space_size` as the same flag.
  const given = [...primaryExecArgv, ...(nodeOptions?.split(/\s+/) ?? [])]
    .map((option) => option.split('=')[0]!.replaceAll('_', '-'))
    .includes(SEMI_SPACE_FLAG);
  if (semiSpaceMb === 0 || given) return [...primaryExecArgv];
  return [...primaryExecArgv, `${SEMI_SPACE_FLAG}=${semiSpaceMb}`];
}
