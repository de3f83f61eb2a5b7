/**
 * Worst cases for the shipped policy's regular expressions: evaluates the bundle in-process
 * with the embedded engine on prompts crafted against each pattern (long runs that patterns
 * read from every start, near-misses repeated, the literals a pattern starts with repeated)
 * and on ordinary prose of the same length, at 16 KiB and 64 KiB, with and without an
 * astral character (an emoji). Prints the median CPU time per evaluation of each case, measured
 * alternately with the ordinary prompt in the same run, and their ratio; a ratio over 3, or
 * an evaluation that fails, prints a FAIL line and sets exit code 1.
 *
 * The bundle's prompt limit (16 000 characters) is raised to 65 536 in a copy of the bundle,
 * so that prompts of both sizes are scanned rather than refused for their length. Times are
 * CPU time, steadier than wall-clock time on a shared machine. The `checksums` column counts
 * the card and IBAN candidates the policy then checks in Rego (Luhn, mod 97), one rule
 * evaluation each: at most `max_checked_numbers` of each kind, past which the policy denies
 * unchecked, so the worst case is a prompt holding that many of both, which a case measures.
 *
 * Usage: npm run bench:adversarial -w services/policy-gateway
 *   BENCH_ROUNDS (41): samples of each case (and as many of the ordinary prompt), each the
 *   mean of BENCH_BLOCK (4) evaluations in a row; the machine's load average is printed first,
 *   since a busy machine (other processes on the same cores) makes every figure noisier.
 */
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RegoEngine } from '@policy-gateway/rego';
import { EmbeddedPolicyEngine } from '../src/policy/embedded-policy-engine.js';
import { loadPolicyBundle } from '../src/policy/policy-bundle.js';

const MAX_RATIO = 3;
const PROMPT_LIMIT = 65_536;
const SIZES = [16 * 1024, 64 * 1024];
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 41);
const WARM_UP_BLOCKS = 3;
const BLOCK = Number(process.env.BENCH_BLOCK ?? 4);
const ASTRAL = '\u{1F600}';
const policiesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../policies');

/** The most card- or IBAN-shaped numbers of one kind the shipped policy checksums. */
async function maxCheckedNumbers(): Promise<number> {
  const bundle = await loadPolicyBundle(policiesDir);
  const rego = new RegoEngine({ regoVersion: 'v1' });
  rego.addModules(bundle.modules.map((m) => ({ fileName: m.relativePath, source: m.content })));
  return Number(rego.evalRule('data.policy_gateway.max_checked_numbers'));
}
const MAX_CHECKED = await maxCheckedNumbers();

/** `unit` repeated to exactly `n` UTF-16 units. */
function fill(unit: string, n: number): string {
  return unit.repeat(Math.ceil(n / unit.length)).slice(0, Math.max(0, n));
}

/** `head`, then `unit` repeated, then `tail`: `n` units in all. */
function around(head: string, unit: string, tail: string, n: number): string {
  return head + fill(unit, n - head.length - tail.length) + tail;
}

/** Business prose with an e-mail address and a few numbers, as most prompts are. */
function ordinary(n: number): string {
  return fill(
    'Please summarise the attached quarterly report for the board meeting on Thursday. ' +
      'Revenue grew by 12 percent compared with the same quarter last year, mostly in Europe. ' +
      'Contact jane.doe@example.com if any figure in the appendix looks inconsistent. ' +
      'The logistics team reduced delivery times from 5 days to 3 days on average. ' +
      'Highlight risks around supplier concentration and currency exposure in 2025. ',
    n,
  );
}

/**
 * As many distinct card-shaped and IBAN-shaped numbers as the policy checks, each its own
 * run of digits, then ordinary prose: the most checksum work one prompt can buy.
 */
function checkedNumbers(n: number): string {
  const numbers: string[] = [];
  for (let i = 0; i < MAX_CHECKED; i++) {
    const card = `4${String(100_000_000_000_000 + i * 7_919).padStart(15, '0')}`;
    numbers.push(card.replace(/(\d{4})(?=\d)/g, '$1 '));
    numbers.push(`GB${10 + (i % 89)} WEST ${1_000 + i} 5698 7654 32`);
  }
  const head = `${numbers.join(', ')}, `;
  return head + ordinary(n - head.length);
}

interface WorstCase {
  /** The detector whose pattern the prompt is aimed at. */
  readonly target: string;
  readonly note: string;
  readonly make: (n: number) => string;
}

const CASES: readonly WorstCase[] = [
  { target: 'pii.email', note: 'letter run ending at @', make: (n) => around('', 'a', '@x.y', n) },
  { target: 'pii.email', note: '@ every other character', make: (n) => fill('a@', n) },
  { target: 'pii.email', note: 'dotted domain, no TLD', make: (n) => around('a@', 'b.', '', n) },
  {
    target: 'numeric_spans',
    note: 'capitals after a digit',
    make: (n) => around('1234567 x5', 'A', 'x', n),
  },
  {
    target: 'numeric_spans',
    note: 'capitals and spaces',
    make: (n) => around('1234567 ', 'ABCD ', '', n),
  },
  { target: 'pii.phone_number', note: '+ and spaced digits', make: (n) => fill('+1 2 3 4 ', n) },
  {
    target: 'pii.phone_number',
    note: 'near-miss (555) groups',
    make: (n) => fill('(555) 123-456 ', n),
  },
  {
    target: 'pii.payment_card',
    note: 'Luhn-valid card groups',
    make: (n) => fill('4111 1111 1111 1111 ', n),
  },
  { target: 'pii.payment_card', note: 'one digit run', make: (n) => fill('4', n) },
  {
    target: 'pii.payment_card, pii.iban',
    note: `${MAX_CHECKED} of each, all checked`,
    make: checkedNumbers,
  },
  { target: 'numeric_spans', note: 'many short runs', make: (n) => fill('12345678 x ', n) },
  { target: 'pii.us_ssn', note: 'near-miss SSN groups', make: (n) => fill('123-45-678 ', n) },
  {
    target: 'pii.iban',
    note: 'valid grouped IBANs',
    make: (n) => fill('GB82 WEST 1234 5698 7654 32 ', n),
  },
  {
    target: 'pii.iban',
    note: 'country code, capital run',
    make: (n) => around('GB82', 'A', '', n),
  },
  { target: 'secret.aws_access_key', note: 'AKIA repeated', make: (n) => fill('AKIA', n) },
  {
    target: 'secret.github_token',
    note: 'github_pat_ repeated',
    make: (n) => fill('github_pat_', n),
  },
  {
    target: 'secret.github_token',
    note: 'ghp_ one character short',
    make: (n) => fill(`ghp_${'a'.repeat(35)} `, n),
  },
  {
    target: 'secret.slack_token',
    note: 'xoxb- one short',
    make: (n) => fill('xoxb-abcdefghi ', n),
  },
  {
    target: 'secret.slack_token',
    note: 'webhook prefix, short path',
    make: (n) => fill('https://hooks.slack.com/services/abc ', n),
  },
  {
    target: 'secret.openai_api_key',
    note: 'sk- one character short',
    make: (n) => fill(`sk-${'a'.repeat(31)} `, n),
  },
  { target: 'secret.openai_api_key', note: 'sk-proj- repeated', make: (n) => fill('sk-proj-', n) },
  {
    target: 'secret.jwt',
    note: '-eyJ run, then .eyJab',
    make: (n) => around('', '-eyJ', '.eyJab', n),
  },
  { target: 'secret.jwt', note: 'header.header repeated', make: (n) => fill('eyJabcde.', n) },
  {
    target: 'secret.private_key',
    note: 'BEGIN, then a capital run',
    make: (n) => around('PRIVATE KEY -----BEGIN ', 'A', '', n),
  },
  {
    target: 'secret.private_key',
    note: 'BEGIN repeated',
    make: (n) => around('PRIVATE KEY ', '-----BEGIN A', '', n),
  },
  {
    target: 'secret.credential_assignment',
    note: 'keyword, then spaces',
    make: (n) => around('password', ' ', 'x', n),
  },
  {
    target: 'secret.credential_assignment',
    note: 'short values repeated',
    make: (n) => fill('pwd=abc ', n),
  },
  {
    target: 'prompt_injection.instruction_override',
    note: 'ignore, then filler words',
    make: (n) => around('ignore ', 'all ', '', n),
  },
  {
    target: 'prompt_injection.instruction_override',
    note: 'ignore repeated',
    make: (n) => fill('ignore ', n),
  },
  {
    target: 'prompt_injection.persona_override',
    note: 'you are now repeated',
    make: (n) => fill('you are now ', n),
  },
  {
    target: 'prompt_injection.system_prompt_extraction',
    note: 'reveal your, then full…',
    make: (n) => around('reveal your ', 'full ', '', n),
  },
  {
    target: 'prompt_injection.system_prompt_extraction',
    note: 'what is the repeated',
    make: (n) => fill('what is the ', n),
  },
];

/** A copy of the shipped bundle whose prompt limit admits the largest prompt measured. */
async function benchBundle(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'pgw-adversarial-'));
  for (const entry of await readdir(policiesDir, { withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith('.rego'))
      await copyFile(path.join(policiesDir, entry.name), path.join(dir, entry.name));
  }
  const data = JSON.parse(await readFile(path.join(policiesDir, 'data.json'), 'utf8'));
  data.policy_gateway.limits.max_prompt_chars = PROMPT_LIMIT;
  await writeFile(path.join(dir, 'data.json'), JSON.stringify(data));
  return dir;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

const bundleDir = await benchBundle();
const failures: string[] = [];
try {
  const engine = await EmbeddedPolicyEngine.start({
    bundleDir,
    policyPath: 'data.policy_gateway.decision',
  });
  // The same bundle on a bare engine, to count the candidates the policy checksums in Rego.
  const bundle = await loadPolicyBundle(bundleDir);
  const rego = new RegoEngine({ regoVersion: 'v1' });
  rego.addModules(bundle.modules.map((m) => ({ fileName: m.relativePath, source: m.content })));
  rego.setData(bundle.data);
  // Each kind's candidates, unless there are more than the policy checks.
  const checked = ['card_candidates', 'iban_candidates'].map(
    (kind) =>
      `count([x | count(data.policy_gateway.${kind}) <= data.policy_gateway.max_checked_numbers; ` +
      `some x in data.policy_gateway.${kind}])`,
  );
  const checksums = (prompt: string): number =>
    Number(
      rego.evalQuery(`n := ${checked.join(' + ')}`, {
        input: { prompt, user_id: 'bench-user', context: {} },
      }).results[0]?.bindings.n ?? 0,
    );

  /**
   * CPU milliseconds of one evaluation (the process's user and system time: on a shared
   * machine, wall-clock time mostly measures how often the process waited for a core).
   * A failed evaluation is recorded as a failure.
   */
  async function evaluate(label: string, prompt: string): Promise<number> {
    const before = process.cpuUsage();
    const evaluation = await engine.evaluate({ prompt, user_id: 'bench-user', context: {} });
    const used = process.cpuUsage(before);
    if (evaluation.decision === 'error') failures.push(`${label}: ${evaluation.error}`);
    return (used.user + used.system) / 1000;
  }

  /** CPU milliseconds per evaluation of `BLOCK` evaluations of `prompt` in a row. */
  async function block(label: string, prompt: string): Promise<number> {
    let total = 0;
    for (let i = 0; i < BLOCK; i++) total += await evaluate(label, prompt);
    return total / BLOCK;
  }

  /**
   * Medians of `prompt` and of `baseline`, measured in alternating blocks after a warm-up. A
   * block rather than one evaluation per sample: the process's CPU time also counts V8's
   * helper threads (GC, compilation), whose bursts would otherwise land on one sample.
   */
  async function sideBySide(
    label: string,
    prompt: string,
    baseline: string,
  ): Promise<{ ms: number; baselineMs: number }> {
    // Whole blocks of warm-up: until V8 has optimised both paths, the first blocks of either
    // string can take several times as long and would decide the median of a short run.
    for (let i = 0; i < WARM_UP_BLOCKS; i++) {
      await block(label, prompt);
      await block(`${label} (ordinary)`, baseline);
    }
    const times: number[] = [];
    const baselineTimes: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      times.push(await block(label, prompt));
      baselineTimes.push(await block(`${label} (ordinary)`, baseline));
    }
    return { ms: median(times), baselineMs: median(baselineTimes) };
  }

  process.stdout.write(
    `policy-gateway adversarial bench: ${CASES.length} cases x ${SIZES.length} sizes x with/without ${ASTRAL}, ` +
      `load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} CPUs, ` +
      `${ROUNDS} samples of ${BLOCK} evaluations each, alternating with ordinary prose of the same length and the same ` +
      `kind of string (with ${ASTRAL} for the astral rows: V8 stores such strings two bytes a ` +
      `character, which slows every string operation; the first row of each size shows by how ` +
      `much, for information); prompt limit raised to ${PROMPT_LIMIT}\n\n` +
      '| target                                    | case                         |  size  | astral |    CPU ms | ordinary ms | ratio | checksums |\n' +
      '|-------------------------------------------|------------------------------|--------|--------|-----------|-------------|-------|-----------|\n',
  );
  const rows: { label: string; ratio: number; checksums: number }[] = [];
  /** Measures one row; `checked` rows count towards the verdict. */
  const record = async (
    target: string,
    note: string,
    size: number,
    astral: boolean,
    prompt: string,
    baseline: string,
    checked = true,
  ): Promise<void> => {
    const label = `${target} / ${note} / ${size / 1024} KiB${astral ? ' / astral' : ''}`;
    const { ms, baselineMs } = await sideBySide(label, prompt, baseline);
    const ratio = ms / baselineMs;
    const n = checksums(prompt);
    if (checked) rows.push({ label, ratio, checksums: n });
    process.stdout.write(
      `| ${target.padEnd(41)} | ${note.padEnd(28)} | ${`${size / 1024} KiB`.padStart(6)} | ${(astral ? 'yes' : 'no').padEnd(6)} | ${ms.toFixed(3).padStart(9)} | ${baselineMs.toFixed(3).padStart(11)} | ${ratio.toFixed(2).padStart(5)} | ${String(n).padStart(9)} |\n`,
    );
  };
  for (const size of SIZES) {
    const plain = ordinary(size);
    const astral = ASTRAL + ordinary(size - ASTRAL.length);
    // For information: what the two-byte representation alone costs ordinary prose (not a
    // regex cost, so not part of the verdict; astral cases are compared with this prompt).
    await record(
      '(ordinary prose, vs plain)',
      'one astral character',
      size,
      true,
      astral,
      plain,
      false,
    );
    for (const c of CASES) {
      await record(c.target, c.note, size, false, c.make(size), plain);
      await record(c.target, c.note, size, true, ASTRAL + c.make(size - ASTRAL.length), astral);
    }
  }
  await engine.close();
  const worst = rows.reduce((a, b) => (b.ratio > a.ratio ? b : a));
  process.stdout.write(`\nworst ratio ${worst.ratio.toFixed(2)} (${worst.label})\n`);
  const regexOnly = rows.filter((r) => r.checksums === 0);
  if (regexOnly.length > 0) {
    const worstRegex = regexOnly.reduce((a, b) => (b.ratio > a.ratio ? b : a));
    process.stdout.write(
      `worst ratio of the cases with no checksum candidates ${worstRegex.ratio.toFixed(2)} (${worstRegex.label})\n`,
    );
  }
  for (const row of rows) {
    if (row.ratio <= MAX_RATIO) continue;
    const why =
      row.checksums > 0
        ? `; the policy checks ${row.checksums} card/IBAN candidates in Rego (Luhn, mod 97), one evaluation each`
        : '';
    failures.push(
      `${row.label}: ${row.ratio.toFixed(2)}x the ordinary prompt (limit ${MAX_RATIO}x)${why}`,
    );
  }
} finally {
  await rm(bundleDir, { recursive: true, force: true });
}

for (const failure of failures) process.stdout.write(`FAIL ${failure}\n`);
if (failures.length > 0) process.exitCode = 1;
else
  process.stdout.write(`PASS every case within ${MAX_RATIO}x the ordinary prompt of its length\n`);
