// Reads a Dockerfile into its instructions, grouped by build stage, so tests can ask what the
// final image runs as and runs, without a Docker engine (none runs on these machines).
export interface DockerInstruction {
  /** Upper-case keyword: FROM, RUN, COPY, USER, HEALTHCHECK, ENTRYPOINT, … */
  readonly keyword: string;
  /** Everything after the keyword, continuation lines joined. */
  readonly args: string;
}

export interface DockerStage {
  readonly from: string;
  readonly instructions: readonly DockerInstruction[];
}

export function parseDockerfile(text: string): readonly DockerStage[] {
  const logicalLines: string[] = [];
  let pending = '';
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trimEnd();
    if (pending === '' && (line.trim() === '' || line.trimStart().startsWith('#'))) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    logicalLines.push((pending + line).trim());
    pending = '';
  }
  if (pending !== '') logicalLines.push(pending.trim());

  const stages: { from: string; instructions: DockerInstruction[] }[] = [];
  for (const line of logicalLines) {
    const match = /^(\S+)\s*(.*)$/s.exec(line);
    if (!match) continue;
    const keyword = (match[1] ?? '').toUpperCase();
    const args = (match[2] ?? '').replace(/\s+/g, ' ').trim();
    if (keyword === 'FROM') stages.push({ from: args, instructions: [] });
    else stages.at(-1)?.instructions.push({ keyword, args });
  }
  return stages;
}

/** The arguments of the last `keyword` instruction of a stage, or undefined. */
export function lastInstruction(stage: DockerStage, keyword: string): string | undefined {
  return stage.instructions.filter((instruction) => instruction.keyword === keyword).at(-1)?.args;
}
