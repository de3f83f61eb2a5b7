/**
 * A Rego bundle with pathological rules, for the tests of evaluation isolation: it allows any
 * prompt but three, each slow in its own way.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const SLOW_POLICY_PATH = 'data.t.decision';

/**
 * `spin` iterates a billion short steps that keep nothing alive, so the evaluator's own time
 * budget stops it (a comprehension collecting them would grow the heap by hundreds of MiB a
 * second, and its collection pauses could carry it past the hard stop); `builtin` makes five
 * ranges of a million numbers (a few steps, each one long builtin call the evaluator cannot
 * interrupt); `hoard` keeps fifty such ranges alive at once (hundreds of MiB).
 */
export const SLOW_POLICY = `package t

default decision := {"allow": true, "reasons": []}

thousand := numbers.range(1, 1000)

decision := {"allow": false, "reasons": []} if {
	input.prompt == "spin"
	some i in thousand
	some j in thousand
	some k in thousand
	i + j + k < 0
}

decision := {"allow": false, "reasons": []} if {
	input.prompt == "builtin"
	count([n | some i in [1, 2, 3, 4, 5]; n := count(numbers.range(i, 1000000))]) > 0
}

decision := {"allow": false, "reasons": []} if {
	input.prompt == "hoard"
	count([r | some i in numbers.range(1, 50); r := numbers.range(i, 1000000)]) > 0
}
`;

/** Writes `files` to a fresh directory; `remove` deletes it. */
export async function writeBundle(
  files: Readonly<Record<string, string>> = { 'slow.rego': SLOW_POLICY },
): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'slow-policy-'));
  for (const [name, content] of Object.entries(files)) {
    await writeFile(path.join(dir, name), content);
  }
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
