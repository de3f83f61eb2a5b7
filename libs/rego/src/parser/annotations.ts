/**
 * `# METADATA` blocks: a comment line `# METADATA` at column 1 and the column-1 comment lines
 * right after it hold a YAML document, which annotates the statement that follows the block
 * (the package, or a rule). The YAML is checked as OPA checks it (scope and where it may
 * apply, the types of title, description, entrypoint, authors, organizations,
 * related_resources, schemas and custom) and kept in OPA's JSON shape, which
 * `rego.metadata.rule()` and `rego.metadata.chain()` return. Errors are parse errors at the
 * block's `file:line:col`.
 */
import { parseDocument } from 'yaml';
import type { AnnotationScope, AstAnnotation, Loc } from '../ast/ast.js';
import { RegoParseError } from '../errors/rego-error.js';
import type { SourceComment } from '../lexer/lexer.js';
import type { Value } from '../value/value.js';
import { arr, bool, obj, str } from '../value/value-builders.js';
import { fromJs } from '../value/value-json.js';

/** The statements a block may precede, by their first line. */
export interface AnnotationTargets {
  readonly file: string;
  readonly source: string;
  readonly packageLoc: Loc;
  readonly importLocs: readonly Loc[];
  readonly ruleLocs: readonly Loc[];
}

const SCOPES: readonly AnnotationScope[] = ['rule', 'document', 'package', 'subpackages'];

type Target =
  | { readonly kind: 'package' }
  | { readonly kind: 'import' }
  | {
      readonly kind: 'rule';
      readonly index: number;
    };

/** Finds, parses and checks the module's `# METADATA` blocks. */
export function parseAnnotations(
  comments: readonly SourceComment[],
  targets: AnnotationTargets,
): AstAnnotation[] {
  const annotations: AstAnnotation[] = [];
  for (let i = 0; i < comments.length; i++) {
    const head = comments[i]!;
    if (head.column !== 1 || head.text.trim() !== 'METADATA') continue;
    const lines: string[] = [];
    let last = head.line;
    while (
      comments[i + 1]?.column === 1 &&
      comments[i + 1]!.line === last + 1 &&
      comments[i + 1]!.text.trim() !== 'METADATA'
    ) {
      i++;
      lines.push(comments[i]!.text);
      last = comments[i]!.line;
    }
    const loc: Loc = { file: targets.file, line: head.line, column: 1 };
    const target = targetAfter(last, targets);
    if (target === undefined) continue;
    annotations.push(checkBlock(lines.join('\n'), target, loc, targets.source));
  }
  return annotations;
}

/** The first statement starting after line `line`. */
function targetAfter(line: number, t: AnnotationTargets): Target | undefined {
  let best: { line: number; target: Target } | undefined;
  const consider = (loc: Loc, target: Target) => {
    if (loc.line > line && (best === undefined || loc.line < best.line))
      best = { line: loc.line, target };
  };
  consider(t.packageLoc, { kind: 'package' });
  for (const loc of t.importLocs) consider(loc, { kind: 'import' });
  t.ruleLocs.forEach((loc, index) => {
    consider(loc, { kind: 'rule', index });
  });
  return best?.target;
}

function checkBlock(yamlText: string, target: Target, loc: Loc, source: string): AstAnnotation {
  const fail = (message: string): never => {
    throw new RegoParseError(message, loc, source);
  };
  // OPA reads the block with sigs.k8s.io/yaml (go-yaml v2): YAML 1.1, where `yes` is true.
  const doc = parseDocument(yamlText, { uniqueKeys: true, version: '1.1' });
  const [error] = doc.errors;
  if (error !== undefined) fail(`invalid METADATA block: ${error.message.split('\n')[0]}`);
  const raw: unknown = doc.toJS() ?? {};
  if (!isRecord(raw)) return fail('invalid METADATA block: expected a YAML mapping');
  const out: [string, Value][] = [];
  const scopeValue = raw.scope;
  if (scopeValue !== undefined && typeof scopeValue !== 'string')
    fail('invalid METADATA block: scope must be a string');
  const scope =
    (scopeValue as string | undefined) ??
    (target.kind === 'rule' ? 'rule' : target.kind === 'package' ? 'package' : target.kind);
  if (!(SCOPES as readonly string[]).includes(scope)) {
    fail(
      `invalid annotation scope '${scope}'. Use one of 'rule', 'document', 'package', or 'subpackages'`,
    );
  }
  const wants = scope === 'rule' || scope === 'document' ? 'rule' : 'package';
  if (wants !== target.kind)
    fail(`annotation scope '${scope}' must be applied to ${wants} (have ${target.kind})`);
  out.push(['scope', str(scope)]);
  for (const key of ['title', 'description'] as const) {
    const v = raw[key];
    if (v === undefined) continue;
    if (typeof v !== 'string') fail(`invalid METADATA block: ${key} must be a string`);
    out.push([key, str(v as string)]);
  }
  if (raw.entrypoint !== undefined) {
    if (typeof raw.entrypoint !== 'boolean')
      fail('invalid METADATA block: entrypoint must be true or false');
    if (raw.entrypoint === true) out.push(['entrypoint', bool(true)]);
  }
  if (raw.organizations !== undefined) {
    const orgs = raw.organizations;
    if (!Array.isArray(orgs) || !orgs.every((o) => typeof o === 'string'))
      fail('invalid METADATA block: organizations must be a list of strings');
    out.push(['organizations', arr((orgs as string[]).map(str))]);
  }
  if (raw.related_resources !== undefined)
    out.push(['related_resources', relatedResources(raw.related_resources, fail)]);
  if (raw.authors !== undefined) out.push(['authors', authors(raw.authors, fail)]);
  if (raw.schemas !== undefined) out.push(['schemas', schemas(raw.schemas, fail)]);
  if (raw.custom !== undefined) {
    if (!isRecord(raw.custom)) fail('invalid METADATA block: custom must be a mapping');
    out.push(['custom', fromJs(raw.custom)]);
  }
  return {
    scope: scope as AnnotationScope,
    rule: target.kind === 'rule' ? target.index : undefined,
    value: obj(out.map(([k, v]) => [str(k), v] as const)),
    loc,
  };
}

/** `- https://…` or `- ref: https://…` with an optional description; refs are absolute URLs. */
function relatedResources(value: unknown, fail: (message: string) => never): Value {
  if (!Array.isArray(value)) fail('invalid METADATA block: related_resources must be a list');
  return arr(
    (value as unknown[]).map((item) => {
      const entry = typeof item === 'string' ? { ref: item } : item;
      if (!isRecord(entry) || typeof entry.ref !== 'string')
        return fail('invalid related-resource definition: a ref URL is required');
      if (!URL.canParse(entry.ref))
        fail(`invalid related-resource definition: ${entry.ref} is not an absolute URL`);
      const fields: [string, Value][] = [['ref', str(entry.ref)]];
      if (entry.description !== undefined) {
        if (typeof entry.description !== 'string')
          fail('invalid related-resource definition: description must be a string');
        fields.push(['description', str(entry.description as string)]);
      }
      return obj(fields.map(([k, v]) => [str(k), v] as const));
    }),
  );
}

/** `- Jane Doe <jane@example.com>`, `- name: …` and/or `email: …`; a name or an e-mail is required. */
function authors(value: unknown, fail: (message: string) => never): Value {
  if (!Array.isArray(value)) fail('invalid METADATA block: authors must be a list');
  return arr(
    (value as unknown[]).map((item) => {
      let name: unknown;
      let email: unknown;
      if (typeof item === 'string') {
        const match = /^(.*?)\s*<([^<>]*)>\s*$/.exec(item.trim());
        name = match ? match[1] : item.trim();
        email = match ? match[2] : undefined;
      } else if (isRecord(item)) {
        name = item.name;
        email = item.email;
      } else fail('invalid author definition: expected a string or a mapping');
      if (
        (name !== undefined && typeof name !== 'string') ||
        (email !== undefined && typeof email !== 'string')
      )
        fail('invalid author definition: name and email must be strings');
      const fields: [string, Value][] = [];
      if (typeof name === 'string' && name !== '') fields.push(['name', str(name)]);
      if (typeof email === 'string' && email !== '') fields.push(['email', str(email)]);
      if (fields.length === 0) fail('invalid author definition: a name or an email is required');
      return obj(fields.map(([k, v]) => [str(k), v] as const));
    }),
  );
}

/**
 * `- input.x: schema.y` (a schema of the bundle's schemas) or `- input.x: {type: …}` (an
 * inline definition). Paths are refs under `input` or `data`, written out as OPA writes ref
 * terms: `[{"type": "var", "value": "input"}, {"type": "string", "value": "x"}]`.
 */
function schemas(value: unknown, fail: (message: string) => never): Value {
  if (!Array.isArray(value)) fail('invalid METADATA block: schemas must be a list');
  return arr(
    (value as unknown[]).map((item) => {
      const entries = isRecord(item) ? Object.entries(item) : [];
      const [only] = entries;
      if (only === undefined || entries.length !== 1)
        return fail('invalid schema annotation: each entry maps one path to one schema');
      const [path, schema] = only;
      const pathTerms = refTerms(path);
      if (pathTerms === undefined || !['input', 'data'].includes(path.split('.')[0]!))
        fail(`invalid schema annotation: ${path} must be a ref under input or data`);
      const fields: [string, Value][] = [['path', pathTerms!]];
      if (typeof schema === 'string') {
        const schemaTerms = refTerms(schema);
        if (schemaTerms === undefined || schema.split('.')[0] !== 'schema')
          fail(`invalid schema annotation: ${schema} must be a ref under schema`);
        fields.push(['schema', schemaTerms!]);
      } else if (isRecord(schema)) {
        fields.push(['definition', fromJs(schema)]);
      } else fail('invalid schema annotation: expected a schema ref or an inline definition');
      return obj(fields.map(([k, v]) => [str(k), v] as const));
    }),
  );
}

/** A dotted ref (`input.a.b`) as OPA's JSON of its terms, or undefined when it is not one. */
function refTerms(text: string): Value | undefined {
  const parts = text.split('.');
  if (!parts.every((p) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(p))) return undefined;
  return arr(
    parts.map((p, i) =>
      obj([
        [str('type'), str(i === 0 ? 'var' : 'string')],
        [str('value'), str(p)],
      ]),
    ),
  );
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
