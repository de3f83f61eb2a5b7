/**
 * Finds case files under folders and validates each case into a `ConformanceCase`,
 * telling the two dialects apart by their fields (or by an `opa`/`testdata` folder).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Value } from '../../src/value/index.js';
import { obj, str } from '../../src/value/index.js';
import type { CaseDialect, CaseExpectation, ConformanceCase } from './conformance-case.js';
import {
  decodeExpected,
  isYamlMap,
  marker,
  parseYamlData,
  toValue,
  type YamlData,
} from './yaml-values.js';

/** Every `.yaml`/`.yml` file below a folder (or the file itself), sorted for stable output. */
export function findCaseFiles(path: string): string[] {
  const stats = statSync(path);
  if (stats.isFile()) return /\.ya?ml$/.test(path) ? [path] : [];
  const out: string[] = [];
  for (const entry of readdirSync(path).sort()) {
    const full = join(path, entry);
    if (statSync(full).isDirectory()) out.push(...findCaseFiles(full));
    else if (/\.ya?ml$/.test(entry)) out.push(full);
  }
  return out;
}

type Fields = ReadonlyMap<string, YamlData>;

function fieldsOf(d: YamlData, where: string): Fields {
  if (!isYamlMap(d)) throw new Error(`${where}: a case must be a mapping`);
  const fields = new Map<string, YamlData>();
  for (const [k, v] of d.entries) {
    if (typeof k !== 'string') throw new Error(`${where}: field names must be strings`);
    fields.set(k, v);
  }
  return fields;
}

const OPA_ONLY = ['want_error', 'want_error_code', 'input_term', 'strict_error'];
// `strict` is left out: OPA's own cases use it too (for strict compilation).
const REGORUS_ONLY = ['error', 'no_result', 'want_prints', 'skip'];

function isBindingsList(d: YamlData | undefined): boolean {
  return Array.isArray(d) && d.every((item) => isYamlMap(item));
}

/** The dialect of a file: by folder name when it says, else by the fields its cases use. */
export function detectDialect(file: string, cases: readonly Fields[]): CaseDialect {
  const segments = file.split(sep);
  if (segments.includes('regorus')) return 'regorus';
  if (segments.includes('opa') || segments.includes('testdata')) return 'opa';
  if (cases.some((c) => OPA_ONLY.some((k) => c.has(k)))) return 'opa';
  if (cases.some((c) => REGORUS_ONLY.some((k) => c.has(k)))) return 'regorus';
  const withResults = cases.filter((c) => c.has('want_result'));
  if (withResults.length > 0 && withResults.every((c) => isBindingsList(c.get('want_result'))))
    return 'opa';
  return 'regorus';
}

function text(fields: Fields, name: string, where: string): string {
  const v = fields.get(name);
  if (typeof v !== 'string') throw new Error(`${where}: ${name} must be a string`);
  return v;
}

function optionalText(fields: Fields, name: string, where: string): string | undefined {
  return fields.has(name) && fields.get(name) !== null ? text(fields, name, where) : undefined;
}

function flag(fields: Fields, name: string): boolean | undefined {
  const v = fields.get(name);
  return typeof v === 'boolean' ? v : undefined;
}

function modulesOf(fields: Fields, where: string): string[] {
  const v = fields.get('modules') ?? [];
  if (!Array.isArray(v) || !v.every((m): m is string => typeof m === 'string')) {
    throw new Error(`${where}: modules must be a list of strings`);
  }
  return v;
}

function regorusCase(file: string, note: string, fields: Fields, where: string): ConformanceCase {
  const input = fields.get('input');
  const many = input === undefined ? undefined : marker(input, 'many!');
  const inputs =
    input === undefined ? [undefined] : Array.isArray(many) ? many.map(toValue) : [toValue(input)];
  let expectation: CaseExpectation;
  const error = fields.get('error');
  if (error !== undefined) {
    expectation = { kind: 'error', message: typeof error === 'string' ? error : undefined };
  } else if (flag(fields, 'no_result') === true) {
    expectation = { kind: 'no_result' };
  } else if (fields.has('want_result')) {
    const want = fields.get('want_result') ?? null;
    const manyResults = marker(want, 'many!');
    expectation = {
      kind: 'values',
      values: Array.isArray(manyResults) ? manyResults.map(decodeExpected) : [decodeExpected(want)],
    };
  } else {
    throw new Error(`${where}: a case needs want_result, error or no_result`);
  }
  const prints = fields.get('want_prints');
  if (
    prints !== undefined &&
    (!Array.isArray(prints) || !prints.every((p) => typeof p === 'string'))
  ) {
    throw new Error(`${where}: want_prints must be a list of strings`);
  }
  return {
    file,
    note,
    dialect: 'regorus',
    modules: modulesOf(fields, where),
    data:
      fields.has('data') && fields.get('data') !== null
        ? toValue(fields.get('data') ?? null)
        : undefined,
    inputs,
    query: text(fields, 'query', where),
    expectation,
    strict: flag(fields, 'strict') ?? true,
    sortBindings: flag(fields, 'sort_bindings') ?? false,
    wantPrints: prints as string[] | undefined,
    // `skip: true` is Regorus' list of its own failures: this engine runs those cases too, so
    // that each passes or is listed in known-failures.yaml with OPA's behaviour as the reason.
  };
}

function opaCase(file: string, note: string, fields: Fields, where: string): ConformanceCase {
  let expectation: CaseExpectation;
  const wantError = optionalText(fields, 'want_error', where);
  const wantCode = optionalText(fields, 'want_error_code', where);
  if (wantError !== undefined || wantCode !== undefined) {
    expectation = { kind: 'error', message: wantError, code: wantCode };
  } else {
    const want = fields.get('want_result');
    if (want === undefined || want === null) {
      expectation = { kind: 'no_result' };
    } else if (Array.isArray(want)) {
      expectation = { kind: 'bindings', bindings: want.map(toValue) };
    } else {
      throw new Error(`${where}: want_result must be a list of bindings objects`);
    }
  }
  const input = fields.get('input');
  return {
    file,
    note,
    dialect: 'opa',
    modules: modulesOf(fields, where),
    data:
      fields.has('data') && fields.get('data') !== null
        ? toValue(fields.get('data') ?? null)
        : undefined,
    inputs: [input === undefined ? undefined : toValue(input)],
    inputTerm: optionalText(fields, 'input_term', where),
    query: text(fields, 'query', where),
    expectation,
    strict: flag(fields, 'strict_error') ?? false,
    sortBindings: flag(fields, 'sort_bindings') ?? false,
    skip: flag(fields, 'skip') === true ? 'marked skip in the case file' : undefined,
  };
}

/** Loads and validates every case of one file; throws with file and case on malformed data. */
export function loadCaseFile(path: string, displayRoot: string): ConformanceCase[] {
  const file = relative(displayRoot, path) || path;
  const root = parseYamlData(readFileSync(path, 'utf8'));
  const rawCases = isYamlMap(root) ? root.entries.find(([k]) => k === 'cases')?.[1] : undefined;
  if (
    rawCases === null ||
    (rawCases !== undefined && Array.isArray(rawCases) && rawCases.length === 0)
  )
    return [];
  if (!Array.isArray(rawCases)) throw new Error(`${file}: expected a top-level "cases" list`);
  const cases = rawCases.map((c, i) => fieldsOf(c, `${file} case ${i + 1}`));
  const dialect = detectDialect(path, cases);
  return cases.map((fields, i) => {
    const note =
      typeof fields.get('note') === 'string' ? (fields.get('note') as string) : `case ${i + 1}`;
    const where = `${file} (${note})`;
    return dialect === 'regorus'
      ? regorusCase(file, note, fields, where)
      : opaCase(file, note, fields, where);
  });
}

/** Bindings object of a result, as a value (for comparisons and messages). */
export function bindingsValue(bindings: Readonly<Record<string, Value>>): Value {
  return obj(Object.entries(bindings).map(([k, v]) => [str(k), v] as const));
}
