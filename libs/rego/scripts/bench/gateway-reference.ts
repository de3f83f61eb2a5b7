/**
 * The gateway's policy as of commit 6cc85e3 (snapshot in bench/gateway-policy-6cc85e3),
 * written by hand in TypeScript: the same decision document (allow, reasons most severe
 * first, redact) for the same input and data. It is the bench's yardstick for what the
 * engine adds over the checks themselves. It takes the shortcuts a hand-written version
 * would: the policy's digit counts and single scan for the digit-shaped runs, e-mail
 * addresses found from their `@`; but not the policy's trigger words, which every match of
 * their detector contains (so they change no decision) and which V8 finds more slowly
 * than the patterns themselves. Bench only: not part of the product.
 */

export interface GatewayReason {
  readonly code: string;
  readonly message: string;
  readonly severity: string;
}

export interface GatewayRedaction {
  readonly code: string;
  readonly text: string;
}

export interface GatewayDecision {
  readonly allow: boolean;
  readonly reasons: GatewayReason[];
  readonly redact: GatewayRedaction[];
}

/** The part of `data` the decision reads. */
export interface GatewayData {
  readonly policy_gateway?: {
    readonly limits?: { readonly max_prompt_chars?: number };
    readonly blocked_users?: readonly unknown[];
  };
}

const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low'] as const;
const MAX_CHECKED_NUMBERS = 16;

// RE2's \s is [\t\n\f\r ]; \b is ASCII in both RE2 and JavaScript. Patterns whose
// classes are ASCII sets match the same with or without the `u` flag, and V8 runs them
// faster without; a negated class needs `u` to match a code point, as RE2 does.

/** An e-mail address's domain, anchored right after its `@` (see `findEmails`). */
const EMAIL_DOMAIN = /[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b/y;
const NUMERIC_RUN = /[+(A-Z0-9][A-Z0-9 ().+-]*[0-9](?:[A-Z0-9 ().+-]*[A-Z0-9])?/g;
const PHONE =
  /\+[1-9](?:[ .-]?[0-9]){6,14}\b|(?:\([2-9][0-9]{2}\)|\b[2-9][0-9]{2})[ .-]?[0-9]{3}[ .-][0-9]{4}\b/g;
const CARD_CANDIDATE = /\b[2-6](?:[ -]?[0-9]){12,18}\b/g;
const SSN =
  /\b(?:00[1-9]|0[1-9][0-9]|[1-578][0-9]{2}|6[0-57-9][0-9]|66[0-57-9])-(?:0[1-9]|[1-9][0-9])-(?:000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})\b/g;
const IBAN_CANDIDATE =
  /\b[A-Z]{2}[0-9]{2}(?:[A-Z0-9]{11,30}|(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,4})?)\b/g;

interface InjectionDetector {
  readonly code: string;
  readonly pattern: RegExp;
  readonly what: string;
}

const INJECTION_DETECTORS: readonly InjectionDetector[] = [
  {
    code: 'prompt_injection.instruction_override',
    pattern:
      /\b(?:ignore|disregard|forget|override|bypass)[\t\n\f\r ]+(?:(?:all|any|the|your|of|my|these|those)[\t\n\f\r ]+)*(?:previous|prior|above|earlier|preceding|system|original|initial|developer)[\t\n\f\r ]+(?:instructions?|prompts?|rules|directions|guidelines|messages?|context|constraints)\b/,
    what: "an attempt to override the model's instructions",
  },
  {
    code: 'prompt_injection.persona_override',
    pattern:
      /\b(?:you[\t\n\f\r ]+are[\t\n\f\r ]+now[\t\n\f\r ]+(?:dan|in[\t\n\f\r ]+(?:developer|god|jailbreak)[\t\n\f\r ]+mode|jailbroken|unrestricted|unfiltered)|(?:act|pretend)[\t\n\f\r ]+(?:as|to[\t\n\f\r ]+be)[\t\n\f\r ]+dan|do[\t\n\f\r ]+anything[\t\n\f\r ]+now|(?:developer|god)[\t\n\f\r ]+mode[\t\n\f\r ]+(?:enabled|activated|on)|jailbreak(?:ed)?[\t\n\f\r ]+mode|pretend[\t\n\f\r ]+(?:that[\t\n\f\r ]+)?you[\t\n\f\r ]+have[\t\n\f\r ]+no[\t\n\f\r ]+(?:restrictions|rules|filters|guidelines))\b/,
    what: 'an attempt to switch the model to an unrestricted persona',
  },
  {
    code: 'prompt_injection.system_prompt_extraction',
    pattern:
      /\b(?:reveal|show|print|repeat|output|display|leak|dump|tell[\t\n\f\r ]+me|what[\t\n\f\r ]+(?:is|are|was|were))[\t\n\f\r ]+(?:me[\t\n\f\r ]+)?(?:your|the)[\t\n\f\r ]+(?:(?:full|entire|exact|original|hidden|initial|secret)[\t\n\f\r ]+)*(?:system[\t\n\f\r ]+(?:prompt|message|instructions)|hidden[\t\n\f\r ]+instructions|initial[\t\n\f\r ]+instructions|instructions[\t\n\f\r ]+above)\b/,
    what: 'an attempt to extract the system prompt',
  },
];

interface SecretDetector {
  readonly code: string;
  readonly pattern: RegExp;
  readonly singular: string;
  readonly plural: string;
  readonly severity: string;
  /** Matched against the lowercased prompt. */
  readonly lowercase: boolean;
}

const SECRET_DETECTORS: readonly SecretDetector[] = [
  {
    code: 'secret.aws_access_key',
    pattern: /\b(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}\b/g,
    singular: 'AWS access key id',
    plural: 'AWS access key ids',
    severity: 'critical',
    lowercase: false,
  },
  {
    code: 'secret.github_token',
    pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b/g,
    singular: 'GitHub token',
    plural: 'GitHub tokens',
    severity: 'critical',
    lowercase: false,
  },
  {
    code: 'secret.slack_token',
    pattern:
      /\bxox[abposr]-[A-Za-z0-9-]{10,}|https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9_/]{20,}/g,
    singular: 'Slack token or webhook',
    plural: 'Slack tokens or webhooks',
    severity: 'critical',
    lowercase: false,
  },
  {
    code: 'secret.openai_api_key',
    pattern: /\bsk-(?:[A-Za-z0-9]{32,}|(?:proj|svcacct|admin|ant)-[A-Za-z0-9_-]{20,})/g,
    singular: 'OpenAI-style API key (sk-…)',
    plural: 'OpenAI-style API keys (sk-…)',
    severity: 'critical',
    lowercase: false,
  },
  {
    code: 'secret.jwt',
    pattern: /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{10,}/g,
    singular: 'JSON Web Token',
    plural: 'JSON Web Tokens',
    severity: 'high',
    lowercase: false,
  },
  {
    code: 'secret.private_key',
    pattern: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----/g,
    singular: 'PEM private key',
    plural: 'PEM private keys',
    severity: 'critical',
    lowercase: false,
  },
  {
    code: 'secret.credential_assignment',
    pattern:
      /\b(?:api[_-]?key|secret[_-]?key|client[_-]?secret|access[_-]?token|auth[_-]?token|password|passwd|pwd)["']?[\t\n\f\r ]*[:=][\t\n\f\r ]*["']?[^\t\n\f\r "',;]{6,}/gu,
    singular: 'credential assignment (api_key=…, password=…)',
    plural: 'credential assignments (api_key=…, password=…)',
    severity: 'high',
    lowercase: true,
  },
];

const MALFORMED: GatewayReason = {
  code: 'input.malformed',
  message: 'the input must have a string `prompt` and a string `user_id`',
  severity: 'high',
};

/** The decision the policy makes for `input` (a JSON object) with base data `data`. */
export function gatewayDecision(
  input: Record<string, unknown>,
  data: GatewayData,
): GatewayDecision {
  const settings = data.policy_gateway;
  const limit = settings?.limits?.max_prompt_chars;
  const violations: GatewayReason[] = [];
  const redact = new Map<string, GatewayRedaction>();
  const rawPrompt = input.prompt;
  const userId = input.user_id;

  if (typeof rawPrompt !== 'string' || typeof userId !== 'string') violations.push(MALFORMED);
  if (typeof limit !== 'number') {
    violations.push({
      code: 'policy.misconfigured',
      message:
        "the policy's data is missing: data.policy_gateway.limits.max_prompt_chars must be a number",
      severity: 'critical',
    });
  }
  if (userId !== undefined && settings?.blocked_users?.includes(userId)) {
    violations.push({
      code: 'user.blocked',
      message: 'this user is blocked from using the gateway',
      severity: 'high',
    });
  }

  if (typeof rawPrompt === 'string' && typeof limit === 'number') {
    const length = codePointCount(rawPrompt);
    if (length > limit) {
      violations.push({
        code: 'prompt.too_long',
        message: `the prompt is ${length} characters long, over the limit of ${limit}`,
        severity: 'medium',
      });
    } else scanPrompt(rawPrompt, violations, redact);
  }

  const reasons: GatewayReason[] = [];
  const sorted = violations.sort((a, b) => compareStrings(a.code, b.code));
  for (const severity of SEVERITY_ORDER)
    for (const v of sorted) if (v.severity === severity) reasons.push(v);
  const redactions = [...redact.values()].sort(
    (a, b) => compareStrings(a.code, b.code) || compareStrings(a.text, b.text),
  );
  return { allow: violations.length === 0, reasons, redact: redactions };
}

/** The detectors, on a prompt within the limit. */
function scanPrompt(
  prompt: string,
  violations: GatewayReason[],
  redact: Map<string, GatewayRedaction>,
): void {
  const addRedactions = (code: string, texts: readonly string[]): void => {
    for (const text of texts) redact.set(`${code}\u0000${text}`, { code, text });
  };

  if (trimGoSpace(prompt) === '') {
    violations.push({
      code: 'prompt.empty',
      message: 'the prompt is empty or only whitespace',
      severity: 'low',
    });
  }
  const lowered = goLower(prompt);

  const emails = findEmails(prompt);
  if (emails.length > 0) {
    violations.push({
      code: 'pii.email',
      message: `${quantity(emails.length, 'e-mail address', 'e-mail addresses')} found in the prompt`,
      severity: 'medium',
    });
    addRedactions('pii.email', emails);
  }

  const digits = asciiDigitCount(prompt);
  if (digits >= 7) {
    const numericText = (prompt.match(NUMERIC_RUN) ?? []).join('\n');
    const phones = numericText.match(PHONE) ?? [];
    if (phones.length > 0) {
      violations.push({
        code: 'pii.phone_number',
        message: `${quantity(phones.length, 'phone number', 'phone numbers')} found in the prompt`,
        severity: 'medium',
      });
      addRedactions('pii.phone_number', phones);
    }
    const tooMany: string[] = [];
    if (digits >= 13) {
      const candidates = numericText.match(CARD_CANDIDATE) ?? [];
      if (candidates.length > MAX_CHECKED_NUMBERS) {
        tooMany.push('card-shaped numbers');
        addRedactions('pii.unverifiable_numbers', candidates);
      } else {
        const valid = candidates.filter(luhnValid);
        if (valid.length > 0) {
          violations.push({
            code: 'pii.payment_card',
            message: `${quantity(valid.length, 'payment card number', 'payment card numbers')} (Luhn-valid) found in the prompt`,
            severity: 'high',
          });
          addRedactions('pii.payment_card', valid);
        }
      }
    }
    if (digits >= 9) {
      const ssns = numericText.match(SSN) ?? [];
      if (ssns.length > 0) {
        violations.push({
          code: 'pii.us_ssn',
          message: `${quantity(ssns.length, 'US social security number', 'US social security numbers')} found in the prompt`,
          severity: 'high',
        });
        addRedactions('pii.us_ssn', ssns);
      }
    }
    if (digits >= 8) {
      const candidates = numericText.match(IBAN_CANDIDATE) ?? [];
      if (candidates.length > MAX_CHECKED_NUMBERS) {
        tooMany.push('IBAN-shaped numbers');
        addRedactions('pii.unverifiable_numbers', candidates);
      } else {
        const valid = candidates.filter(ibanValid);
        if (valid.length > 0) {
          violations.push({
            code: 'pii.iban',
            message: `${quantity(valid.length, 'IBAN', 'IBANs')} (checksum-valid) found in the prompt`,
            severity: 'high',
          });
          addRedactions('pii.iban', valid);
        }
      }
    }
    if (tooMany.length > 0) {
      const parts = tooMany
        .sort(compareStrings)
        .map((kind) => `more than ${MAX_CHECKED_NUMBERS} ${kind}`);
      violations.push({
        code: 'pii.unverifiable_numbers',
        message: `${parts.join(' and ')} in the prompt, too many to check: treated as holding a real one`,
        severity: 'high',
      });
    }
  }

  for (const d of INJECTION_DETECTORS) {
    if (d.pattern.test(lowered)) {
      violations.push({ code: d.code, message: `the prompt contains ${d.what}`, severity: 'high' });
    }
  }

  for (const d of SECRET_DETECTORS) {
    const text = d.lowercase ? lowered : prompt;
    const matches = text.match(d.pattern);
    if (matches === null) continue;
    violations.push({
      code: d.code,
      message: `${quantity(matches.length, d.singular, d.plural)} found in the prompt`,
      severity: d.severity,
    });
    addRedactions(d.code, matches);
  }
}

/**
 * Every match of the policy's e-mail pattern, `[A-Za-z0-9._%+-]+@` then a domain: found from
 * each `@`, the local part being the run of its characters before it (not reaching back
 * into the previous match), as a hand-written scanner would rather than trying the
 * pattern at every letter. The same matches as the regular expression's leftmost-first scan.
 */
function findEmails(s: string): string[] {
  const found: string[] = [];
  let from = 0;
  let at = s.indexOf('@');
  while (at !== -1) {
    let start = at;
    while (start > from && isLocalPartChar(s.charCodeAt(start - 1))) start--;
    if (start < at) {
      EMAIL_DOMAIN.lastIndex = at + 1;
      if (EMAIL_DOMAIN.test(s)) {
        found.push(s.slice(start, EMAIL_DOMAIN.lastIndex));
        from = EMAIL_DOMAIN.lastIndex;
        at = s.indexOf('@', from);
        continue;
      }
    }
    at = s.indexOf('@', at + 1);
  }
  return found;
}

/** [A-Za-z0-9._%+-] */
function isLocalPartChar(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x30 && c <= 0x39) ||
    c === 0x2e ||
    c === 0x5f ||
    c === 0x25 ||
    c === 0x2b ||
    c === 0x2d
  );
}

function quantity(n: number, singular: string, plural: string): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

/** Luhn over the digits of a candidate (spaces and dashes ignored). */
function luhnValid(candidate: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = candidate.length - 1; i >= 0; i--) {
    const c = candidate.charCodeAt(i);
    if (c < 0x30 || c > 0x39) continue;
    let d = c - 0x30;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** ISO 13616: the first four characters moved to the end, letters as 10..35, mod 97 is 1. */
function ibanValid(candidate: string): boolean {
  const compact = candidate.replaceAll(' ', '');
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  let remainder = 0;
  for (let i = 0; i < rearranged.length; i++) {
    const c = rearranged.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) remainder = (remainder * 100 + (c - 0x41 + 10)) % 97;
    else remainder = (remainder * 10 + (c - 0x30)) % 97;
  }
  return remainder === 1;
}

/** ASCII digits in `s`: one indexOf scan per digit, fast on prose where digits are few. */
function asciiDigitCount(s: string): number {
  let n = 0;
  for (const digit of ASCII_DIGITS) {
    for (let i = s.indexOf(digit); i !== -1; i = s.indexOf(digit, i + 1)) n++;
  }
  return n;
}

const ASCII_DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

/** Rego's `count` of a string: code points, not UTF-16 units. */
function codePointCount(s: string): number {
  if (!HIGH_SURROGATE.test(s)) return s.length;
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

const HIGH_SURROGATE = /[\uD800-\uDBFF]/;

/** Go's strings.TrimSpace: Unicode white space at either end. */
function trimGoSpace(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isGoSpace(s.charCodeAt(start))) start++;
  while (end > start && isGoSpace(s.charCodeAt(end - 1))) end--;
  return s.slice(start, end);
}

function isGoSpace(c: number): boolean {
  return (
    (c >= 0x09 && c <= 0x0d) ||
    c === 0x20 ||
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

const NON_ASCII = /[\u0080-\uffff]/;

/**
 * Go's strings.ToLower: each code point's simple lowercase mapping (İ becomes i, Σ always σ),
 * a character whose mapping would take several code points left as it is.
 */
function goLower(s: string): string {
  if (!NON_ASCII.test(s)) return s.toLowerCase();
  let out = '';
  for (const ch of s) {
    if (ch === '\u0130') {
      out += 'i';
      continue;
    }
    const lower = ch === 'Σ' ? 'σ' : ch.toLowerCase();
    out += [...lower].length === 1 ? lower : ch;
  }
  return out;
}

/** Rego's order of strings. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
