/**
 * The shipped policy's checksums (`luhn_valid`, and `iban_of`'s mod 97 in policies/personal_data.rego)
 * agree with the textbook algorithms on thousands of numbers, valid and not, grouped as people
 * write them: the checks are written for speed (a replace_n table of marks for Luhn, 13-digit
 * chunks for mod 97), and a faster formulation must not change a single verdict.
 */
import { RegoEngine } from '@policy-gateway/rego';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY_BUNDLE_DIR } from '../../src/policy/create-policy-engine.js';
import { loadPolicyBundle } from '../../src/policy/policy-bundle.js';

let rego: RegoEngine;
beforeAll(async () => {
  const bundle = await loadPolicyBundle(DEFAULT_POLICY_BUNDLE_DIR);
  rego = new RegoEngine({ regoVersion: 'v1' });
  rego.addModules(bundle.modules.map((m) => ({ fileName: m.relativePath, source: m.content })));
  rego.setData(bundle.data);
});

/** The candidates for which `rule` holds, all asked in one query. */
function holding(rule: 'luhn_valid' | 'iban_of', candidates: readonly string[]): string[] {
  const result = rego.evalQuery(
    `valid := [c | some c in input.candidates; data.policy_gateway.${rule}(c)]`,
    { input: { candidates } },
  );
  return result.results[0]?.bindings.valid as string[];
}

function luhn(number: string): boolean {
  const digits = number.replace(/[ -]/g, '');
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

function mod97(iban: string): boolean {
  const compact = iban.replace(/ /g, '');
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  const digits = [...rearranged].map((c) => (/[A-Z]/.test(c) ? String(c.charCodeAt(0) - 55) : c));
  return BigInt(digits.join('')) % 97n === 1n;
}

/** A small deterministic generator, so that a failure can be replayed. */
function generator(seed: number) {
  let state = seed;
  return (n: number) => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return state % n;
  };
}

function grouped(s: string, separator: string): string {
  return s.replace(/(.{4})(?=.)/g, `$1${separator}`);
}

describe('the shipped policy checksums', () => {
  it('Luhn agrees with the textbook algorithm on 13- to 19-digit numbers, grouped or not', () => {
    const random = generator(9);
    const candidates: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const length = 13 + random(7);
      let digits = String(2 + random(5));
      while (digits.length < length) digits += String(random(10));
      candidates.push(grouped(digits, ['', ' ', '-'][random(3)]!));
    }
    const valid = holding('luhn_valid', candidates);
    expect(valid).toEqual(candidates.filter(luhn));
    // About one number in ten is Luhn-valid: both verdicts are exercised.
    expect(valid.length).toBeGreaterThan(200);
    expect(valid.length).toBeLessThan(candidates.length - 2000);
  });

  it('mod 97 agrees with big-integer arithmetic on IBANs, valid ones included', () => {
    const random = generator(97);
    const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
    // Countries of the IBAN registry with their lengths, short to long: `iban_of` reads as
    // many characters as the candidate's country has.
    const lengths: Readonly<Record<string, number>> = {
      NO: 15,
      NL: 18,
      DE: 22,
      GB: 22,
      FR: 27,
      MT: 31,
      RU: 33,
    };
    const countries = Object.keys(lengths);
    const candidates: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const country = countries[random(countries.length)]!;
      let account = '';
      for (let n = lengths[country]! - 4; n > 0; n--) {
        account += random(3) === 0 ? letters[random(26)] : String(random(10));
      }
      // Every other candidate gets its true check digits, so that half of them are valid.
      const check =
        i % 2 === 0
          ? String(98n - (BigInt(mod97Digits(`${account}${country}00`)) % 97n)).padStart(2, '0')
          : String(random(100)).padStart(2, '0');
      const iban = `${country}${check}${account}`;
      // The policy reads the case-folded prompt.
      candidates.push((random(2) === 0 ? iban : grouped(iban, ' ')).toLowerCase());
    }
    const valid = holding('iban_of', candidates);
    expect(valid).toEqual(candidates.filter((c) => mod97(c.toUpperCase())));
    expect(valid.length).toBeGreaterThanOrEqual(1500);
    expect(valid.length).toBeLessThan(candidates.length - 1000);
  });
});

function mod97Digits(s: string): string {
  return [...s].map((c) => (/[A-Z]/.test(c) ? String(c.charCodeAt(0) - 55) : c)).join('');
}
