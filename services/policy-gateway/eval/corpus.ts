/**
 * The evaluation corpus of the shipped policy (issue 16): the labelled prompts of
 * `malicious.yaml`, each also in every disguise of `disguises.ts` that suits its kind, the
 * benign prompts of `benign.yaml` with generated ones beside them (invoices, order and
 * tracking numbers, dates, versions, sums, from a fixed seed, so every run sees the same), and
 * the held-out sets, never tuned against: `held-out.yaml`, written after the policy, and
 * `held-out-2.yaml` with `held-out-benign.yaml`, written before the detectors were reworked for
 * the first set's misses, and `held-out-3.yaml` with `held-out-3-benign.yaml`, written blind
 * (before their author read the policy or the other sets).
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { DISGUISES, type PromptKind } from './disguises.js';

export interface LabelledPrompt {
  readonly prompt: string;
  /** The reason codes the policy must give; empty for a benign prompt. */
  readonly codes: readonly string[];
  /** Where it comes from: the file, and the disguise applied if any. */
  readonly source: string;
  /** The user it is sent as, when the user matters (a blocked id in disguise). */
  readonly userId?: string;
}

interface MaliciousGroup {
  readonly codes: readonly string[];
  readonly prompts: readonly string[];
  readonly user_id?: string;
}

/** A written benign entry: a prompt, or a prompt sent as a given user. */
type BenignEntry = string | { readonly prompt: string; readonly user_id: string };

// Secret-shaped values, assembled here so that no scanner mistakes the corpus for a leak;
// none is a real credential.
const SECRETS: Readonly<Record<string, string>> = {
  AWS_KEY: 'AKIA' + 'IOSFODNN7EXAMPLE',
  AWS_KEY_2: 'ASIA' + 'Y3FAKEKEY0000042',
  GITHUB_TOKEN: 'ghp_' + 'x7Kq2mZ9'.repeat(4) + 'a1B2',
  GITHUB_PAT: 'github_pat_' + '11ABCDEFG0' + '_abcdefghijklmnopqrstuvwxyz0123',
  SLACK_TOKEN: 'xoxb-' + '123456789012-1234567890123-' + 'AbCdEfGhIjKlMnOpQrStUvWx',
  SLACK_WEBHOOK:
    'https://hooks.slack.com/services/' + 'T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX',
  OPENAI_KEY: 'sk-' + '0123456789abcdefghijABCDEFGHIJ0123456789klmn',
  OPENAI_PROJECT_KEY: 'sk-' + 'proj-' + 'abcDEF123456_ghiJKL7890-mnoPQR',
  JWT:
    'eyJhbGciOiJIUzI1NiJ9' +
    '.eyJzdWIiOiIxMjM0NTY3ODkwIn0' +
    '.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
  PRIVATE_KEY:
    '-----BEGIN ' + 'RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7b\n-----END RSA PRIVATE KEY-----',
  OPENSSH_KEY: '-----BEGIN ' + 'OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAA',
  EC_KEY:
    '-----BEGIN ' +
    'EC PRIVATE KEY-----\nMHcCAQEEIBfakefakefakefakefakefake\n-----END EC PRIVATE KEY-----',
  PKCS8_KEY:
    '-----BEGIN ' + 'PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----',
  SLACK_USER_TOKEN: 'xoxp-' + '210987654321-2109876543210-' + '9876543210abcdef9876543210abcdef',
};

function filled(prompt: string): string {
  return prompt.replace(/\{\{([A-Z_0-9]+)\}\}/g, (_, name: string) => {
    const value = SECRETS[name];
    if (value === undefined) throw new Error(`unknown placeholder {{${name}}}`);
    return value;
  });
}

function kindOf(code: string): PromptKind {
  if (code.startsWith('prompt_injection.')) return 'phrase';
  if (code.startsWith('secret.')) return 'secret';
  if (code === 'pii.email') return 'email';
  return 'number';
}

async function yamlOf(file: string): Promise<unknown> {
  return parse(await readFile(new URL(file, import.meta.url), 'utf8'));
}

/** The labelled malicious prompts of `file`, plain and, when `disguised`, in every disguise. */
export async function maliciousPrompts(
  file = 'malicious.yaml',
  disguised = true,
): Promise<LabelledPrompt[]> {
  const groups = (await yamlOf(file)) as MaliciousGroup[];
  const out: LabelledPrompt[] = [];
  for (const { codes, prompts, user_id: userId } of groups) {
    const kind = kindOf(codes[0] ?? '');
    for (const raw of prompts) {
      const prompt = filled(raw);
      if (userId !== undefined) {
        // The disguise is in the id, not the prompt.
        out.push({ prompt, codes, source: `${file} (user ${JSON.stringify(userId)})`, userId });
        continue;
      }
      out.push({ prompt, codes, source: file });
      if (!disguised) continue;
      const seen = new Set([prompt]);
      for (const disguise of DISGUISES) {
        if (!disguise.kinds.includes(kind)) continue;
        const variant = disguise.apply(prompt);
        if (seen.has(variant)) continue;
        seen.add(variant);
        out.push({ prompt: variant, codes, source: `${file} (${disguise.name})` });
      }
    }
  }
  return out;
}

/** The benign prompts: hand-written, then generated. */
export async function benignPrompts(): Promise<LabelledPrompt[]> {
  return [
    ...(await writtenBenign('benign.yaml')),
    ...generatedBenign().map((prompt) => ({ prompt, codes: [], source: 'generated' })),
  ];
}

/**
 * The benign prompts of a written list (`held-out-benign.yaml`, `held-out-3-benign.yaml`: never
 * tuned against), each a prompt or a prompt with the `user_id` it is sent as.
 */
export async function writtenBenign(file: string): Promise<LabelledPrompt[]> {
  const written = (await yamlOf(file)) as BenignEntry[];
  return written.map((entry) =>
    typeof entry === 'string'
      ? { prompt: entry, codes: [], source: file }
      : {
          prompt: entry.prompt,
          codes: [],
          source: `${file} (user ${JSON.stringify(entry.user_id)})`,
          userId: entry.user_id,
        },
  );
}

/** A small seeded generator (mulberry32), so the generated prompts are the same every run. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TEMPLATES: readonly ((n: (digits: number) => string, r: () => number) => string)[] = [
  (n) =>
    `Invoice ${n(4)}-${n(6)} dated 20${n(2)}-0${1 + (Number(n(1)) % 9)}-1${n(1)}: total ${n(3)},${n(2)} EUR, due in 30 days.`,
  (n) => `Where is my order ${n(10)}? It was supposed to arrive last week.`,
  (n) => `Order #${n(4)}-${n(4)}-${n(4)} shows as shipped; the tracking number is ${n(12)}.`,
  (n) => `Please update ticket ${n(6)} - the customer called about case ${n(8)}.`,
  (n) =>
    `Upgrade the service from ${n(1)}.${n(2)}.${n(1)} to ${n(1)}.${n(2)}.${n(2)} and list the breaking changes.`,
  (n) => `The build ${n(4)}.${n(2)}.${n(2)}.${n(4)} failed on step ${n(2)} of ${n(3)}.`,
  (n) =>
    `Schedule the review for 20${n(2)}-1${n(1)}-2${n(1)} and the retro for 20${n(2)}-0${n(1)}-1${n(1)}.`,
  (n) => `Compute ${n(5)} * ${n(4)} + ${n(6)} and explain each step.`,
  (n) => `What is the average of ${n(3)}, ${n(3)}, ${n(4)}, ${n(3)} and ${n(4)}?`,
  (n) =>
    `Sales were ${n(1)},${n(3)},${n(3)} in Q1 and ${n(1)},${n(3)},${n(3)} in Q2; what is the change in percent?`,
  (n) => `The shipment weighs ${n(4)} kg across ${n(2)} pallets, container MSKU ${n(7)}.`,
  (n) => `Reference ${n(3)} ${n(3)} ${n(3)} ${n(3)} on the bank statement is the rent.`,
  (n) =>
    `Meter reading ${n(6)} kWh on ${n(2)}/${n(2)}/20${n(2)}; estimate the monthly bill at 0.${n(2)} per kWh.`,
  (n) => `Product SKU ${n(5)}-${n(3)} is out of stock in store ${n(3)}.`,
  (n) => `The loan of ${n(6)} at ${n(1)}.${n(2)}% over ${n(2)} years: what is the monthly payment?`,
  (n) => `Patient record ${n(7)} - appointment at ${n(1)}:${n(1)}0, room ${n(3)}.`,
  (n) => `Timestamp ${n(10)} in milliseconds is ${n(13)}; convert both to UTC.`,
  (n) => `Ports ${n(4)}, ${n(4)} and ${n(5)} are open; which services usually use them?`,
  (n) => `Our warehouse code is WH-${n(3)}, bin ${n(2)}-${n(2)}-${n(2)}.`,
  (n) => `Row ${n(4)} of the spreadsheet has ${n(3)}.${n(2)} in column F and ${n(4)} in column G.`,
  (n) =>
    `const values = [${n(4)}, ${n(4)}, ${n(4)}, ${n(4)}]; const total = values.reduce((a, b) => a + b, 0);`,
  (n) => `SELECT * FROM payments WHERE id IN (${n(6)}, ${n(6)}, ${n(6)}) AND amount > ${n(3)};`,
  (n) =>
    `The lottery numbers were ${n(2)} ${n(2)} ${n(2)} ${n(2)} ${n(2)} ${n(2)}; how likely is that?`,
  (n) => `ISBN 978-${n(1)}-${n(3)}-${n(5)}-${n(1)} is listed twice in the catalogue.`,
];

function generatedBenign(): string[] {
  const random = seeded(16);
  const digits = (count: number): string =>
    Array.from({ length: count }, (_, i) =>
      String(Math.floor(random() * (i === 0 ? 9 : 10)) + (i === 0 ? 1 : 0)),
    ).join('');
  const out: string[] = [];
  for (let round = 0; round < 10; round++) {
    for (const template of TEMPLATES) out.push(template(digits, random));
  }
  return out;
}
