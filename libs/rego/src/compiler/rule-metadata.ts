/**
 * What `rego.metadata.rule()` and `rego.metadata.chain()` return for each rule, gathered from
 * every module's `# METADATA` blocks. Both depend only on where the call is written, so the
 * resolver turns them into constants: no work at evaluation time.
 */
import type { AstModule, AstRule } from '../ast/ast.js';
import type { Value } from '../value/value.js';
import { arr, obj, str } from '../value/value-builders.js';

/** The two answers for one rule. */
export interface RuleMetadata {
  /** The rule's own (`rule` scope) annotations, `{}` when it has none. */
  readonly rule: Value;
  /**
   * From the rule outward: the rule (always, `annotations` left out when it has none), its
   * document, its package, and each enclosing package's `subpackages` annotations, nearest
   * first; each entry `{"path": [...], "annotations": {...}}`.
   */
  readonly chain: Value;
}

const EMPTY_OBJECT = obj([]);

/** Metadata by package and document path, over all modules. */
export class MetadataIndex {
  private readonly packages = new Map<string, Value>();
  private readonly subpackages = new Map<string, Value>();
  private readonly documents = new Map<string, Value>();
  private readonly rules = new Map<AstRule, Value>();

  constructor(
    modules: readonly AstModule[],
    /** A rule's document path (package path and the constant part of its head). */
    private readonly documentPath: (module: AstModule, rule: AstRule) => readonly string[],
  ) {
    for (const module of modules) {
      for (const a of module.annotations ?? []) {
        const rule = a.rule === undefined ? undefined : module.rules[a.rule];
        switch (a.scope) {
          case 'package':
            setFirst(this.packages, key(module.packagePath), a.value);
            break;
          case 'subpackages':
            setFirst(this.subpackages, key(module.packagePath), a.value);
            break;
          case 'document':
            if (rule) setFirst(this.documents, key(documentPath(module, rule)), a.value);
            break;
          case 'rule':
            // The block closest to the rule wins, as in OPA.
            if (rule) this.rules.set(rule, a.value);
            break;
        }
      }
    }
  }

  forRule(module: AstModule, rule: AstRule): RuleMetadata {
    const path = this.documentPath(module, rule);
    const own = this.rules.get(rule);
    const chain: Value[] = [entry(path, own)];
    const document = this.documents.get(key(path));
    if (document !== undefined) chain.push(entry(path, document));
    const pkg = this.packages.get(key(module.packagePath));
    if (pkg !== undefined) chain.push(entry(module.packagePath, pkg));
    for (let n = module.packagePath.length; n > 0; n--) {
      const prefix = module.packagePath.slice(0, n);
      const sub = this.subpackages.get(key(prefix));
      if (sub !== undefined) chain.push(entry(prefix, sub));
    }
    return { rule: own ?? EMPTY_OBJECT, chain: arr(chain) };
  }
}

function entry(path: readonly string[], annotations: Value | undefined): Value {
  const fields: [Value, Value][] = [[str('path'), arr(path.map(str))]];
  if (annotations !== undefined) fields.push([str('annotations'), annotations]);
  return obj(fields);
}

function setFirst(map: Map<string, Value>, k: string, v: Value): void {
  if (!map.has(k)) map.set(k, v);
}

function key(path: readonly string[]): string {
  return path.join('\u0000');
}

/**
 * The constant a `rego.metadata.*` call stands for, or undefined when the call is another
 * one. Outside a rule (a query) there is no active rule: `{}` and `[]`.
 */
export function metadataCall(
  name: readonly string[],
  arity: number,
  metadata: (() => RuleMetadata) | undefined,
): Value | undefined {
  if (arity !== 0 || name.length !== 3 || name[0] !== 'rego' || name[1] !== 'metadata')
    return undefined;
  if (name[2] === 'rule') return metadata?.().rule ?? EMPTY_OBJECT;
  if (name[2] === 'chain') return metadata?.().chain ?? arr([]);
  return undefined;
}
