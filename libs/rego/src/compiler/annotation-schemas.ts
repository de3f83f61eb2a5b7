/**
 * `schemas:` in `# METADATA` blocks, as OPA's type checker reads them: each entry types a
 * path under `input` or `data` for the rules the block applies to (scope `rule`: that rule;
 * `document`: every rule of its document; `package`: the package's rules in every file;
 * `subpackages`: those of the package and every package below), with an inline definition or
 * a named schema (`schema.a.b`, given to the engine as `schemas: { 'schema.a.b': … }`).
 * Blocks apply from the widest scope to the narrowest, so a rule's own schema wins.
 */
import type { AstAnnotation, AstModule, Loc } from '../ast/ast.js';
import { RegoCompileError } from '../errors/rego-error.js';
import { toJs } from '../value/value-json.js';
import type { CompiledPolicy } from './compiler.js';
import type { CompiledRule } from './ir.js';
import { SchemaError, schemaToType } from './json-schema-types.js';
import type { RegoType } from './rego-type.js';
import { ANY, objectWith } from './rego-type.js';
import type { DocumentTypes } from './type-checker.js';

export interface AnnotatedDocuments {
  /** The document types of each annotated rule (by its compiled rule), base types included. */
  readonly byRule: ReadonlyMap<CompiledRule, DocumentTypes>;
  readonly errors: readonly RegoCompileError[];
}

const SCOPE_ORDER = { subpackages: 0, package: 1, document: 2, rule: 3 } as const;

interface SchemaEntry {
  readonly path: readonly string[];
  readonly type: RegoType;
}

export function annotatedDocuments(
  modules: readonly AstModule[],
  policy: CompiledPolicy,
  base: DocumentTypes,
): AnnotatedDocuments {
  const errors: RegoCompileError[] = [];
  const compiledByLoc = new Map<Loc, CompiledRule>();
  for (const rs of policy.ruleSets) {
    for (const rule of rs.defaultRule ? [...rs.rules, rs.defaultRule] : rs.rules) {
      compiledByLoc.set(rule.loc, rule);
    }
  }
  const ruleSetOf = new Map<CompiledRule, readonly CompiledRule[]>();
  for (const rs of policy.ruleSets) {
    const all = rs.defaultRule ? [...rs.rules, rs.defaultRule] : rs.rules;
    for (const rule of all) ruleSetOf.set(rule, all);
  }

  // Every block with schemas, with the rules it applies to.
  const blocks: { scope: AstAnnotation['scope']; rules: CompiledRule[]; entries: SchemaEntry[] }[] =
    [];
  for (const module of modules) {
    for (const annotation of module.annotations ?? []) {
      const raw = toJs(annotation.value) as { schemas?: unknown };
      if (!Array.isArray(raw.schemas)) continue;
      const entries: SchemaEntry[] = [];
      for (const item of raw.schemas) {
        try {
          entries.push(schemaEntry(item, base));
        } catch (error) {
          if (!(error instanceof SchemaError)) throw error;
          errors.push(
            new RegoCompileError(error.message, annotation.loc, module.source, 'rego_type_error'),
          );
        }
      }
      const rules = rulesOf(annotation, module, modules, compiledByLoc, ruleSetOf);
      blocks.push({ scope: annotation.scope, rules, entries });
    }
  }
  blocks.sort((a, b) => SCOPE_ORDER[a.scope] - SCOPE_ORDER[b.scope]);

  const byRule = new Map<CompiledRule, DocumentTypes>();
  for (const block of blocks) {
    for (const rule of block.rules) {
      let docs = byRule.get(rule) ?? base;
      for (const entry of block.entries) docs = withSchema(docs, entry);
      byRule.set(rule, docs);
    }
  }
  return { byRule, errors };
}

function schemaEntry(item: unknown, base: DocumentTypes): SchemaEntry {
  const { path, schema, definition } = item as {
    path?: { value: string }[];
    schema?: { value: string }[];
    definition?: unknown;
  };
  const segments = (path ?? []).map((t) => t.value);
  if (definition !== undefined) return { path: segments, type: schemaToType(definition) };
  const name = (schema ?? []).map((t) => t.value).join('.');
  const type = base.named?.get(name);
  if (type === undefined) {
    throw new SchemaError(
      `undefined schema: ${name} (give it to the engine as schemas['${name}'])`,
    );
  }
  return { path: segments, type };
}

/** The compiled rules a block applies to. */
function rulesOf(
  annotation: AstAnnotation,
  module: AstModule,
  modules: readonly AstModule[],
  compiledByLoc: ReadonlyMap<Loc, CompiledRule>,
  ruleSetOf: ReadonlyMap<CompiledRule, readonly CompiledRule[]>,
): CompiledRule[] {
  const compiled = (m: AstModule) =>
    m.rules.map((r) => compiledByLoc.get(r.loc)).filter((r) => r !== undefined);
  switch (annotation.scope) {
    case 'rule':
    case 'document': {
      const ast = annotation.rule === undefined ? undefined : module.rules[annotation.rule];
      const rule = ast === undefined ? undefined : compiledByLoc.get(ast.loc);
      if (rule === undefined) return [];
      return annotation.scope === 'rule' ? [rule] : [...(ruleSetOf.get(rule) ?? [rule])];
    }
    case 'package':
      return modules.filter((m) => samePath(m.packagePath, module.packagePath)).flatMap(compiled);
    case 'subpackages':
      return modules
        .filter((m) =>
          samePath(m.packagePath.slice(0, module.packagePath.length), module.packagePath),
        )
        .flatMap(compiled);
  }
}

function samePath(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

/** The documents with `entry.type` at `entry.path` (`input…` or `data…`). */
function withSchema(docs: DocumentTypes, entry: SchemaEntry): DocumentTypes {
  const [root, ...rest] = entry.path;
  if (root === 'input') {
    return { ...docs, input: override(docs.input ?? ANY, rest, entry.type) };
  }
  const data = (docs.data ?? []).filter((d) => !samePath(d.path, rest));
  data.push({ path: rest, type: entry.type });
  data.sort((a, b) => b.path.length - a.path.length);
  return { ...docs, data };
}

/** `t` with the type at `path` replaced by `o` (OPA's `override`). */
function override(t: RegoType, path: readonly string[], o: RegoType): RegoType {
  const [key, ...rest] = path;
  if (key === undefined) return o;
  if (t.kind !== 'object') {
    return objectWith(new Map([[key, override(ANY, rest, o)]]), { key: ANY, value: ANY });
  }
  const props = new Map(t.props);
  props.set(key, override(t.props.get(key) ?? t.dynamic?.value ?? ANY, rest, o));
  return objectWith(props, t.dynamic);
}
