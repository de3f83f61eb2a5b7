/**
 * The part of Go's text/template that `strings.render_template` needs, over Rego values:
 * text and `{{ }}` actions with `{{-`/`-}}` trimming and comments; pipelines of fields (`.a.b`),
 * variables (`$`, `$x.a`), literals, parenthesised pipelines and the builtin functions (`and`,
 * `or`, `not`, `len`, `index`, `print`, `println`, `eq`, `ne`, `lt`, `le`, `gt`, `ge`), chained
 * with `|`; `if`/`else if`/`else`, `range` (with `$i, $v :=`, over arrays, sets and objects in
 * key order, with `else`), `with`, and `$x := …`/`$x = …`. No JavaScript npm package renders
 * Go's template language, so this one is written here; what is not listed is a parse error.
 *
 * Values print as Go's `fmt` prints the JSON values OPA hands the template (numbers in their
 * literal form, objects as `map[k:v]`, arrays as `[a b]`); a missing field prints
 * `<undefined>`, as in OPA, and null `<no value>`.
 */
import type { Value } from '../../value/value.js';
import { formatNumber } from '../sprintf/format-term.js';

export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

/** A field that does not exist: printed as OPA prints it, false in conditions. */
const MISSING: unique symbol = Symbol('missing');
type TemplateValue = Value | typeof MISSING;

type Node =
  | { readonly k: 'text'; readonly text: string }
  | { readonly k: 'print'; readonly pipe: Pipe }
  | { readonly k: 'if' | 'with'; readonly pipe: Pipe; readonly body: Node[]; readonly else: Node[] }
  | {
      readonly k: 'range';
      readonly pipe: Pipe;
      readonly body: Node[];
      readonly else: Node[];
    };

interface Pipe {
  readonly decl: readonly string[];
  /** `=` assigns existing variables, `:=` declares them. */
  readonly assign: boolean;
  readonly cmds: readonly Arg[][];
}

type Arg =
  | { readonly k: 'field'; readonly path: readonly string[] }
  | { readonly k: 'var'; readonly name: string; readonly path: readonly string[] }
  | { readonly k: 'lit'; readonly value: Value | null }
  | { readonly k: 'fn'; readonly name: string }
  | { readonly k: 'pipe'; readonly pipe: Pipe; readonly path: readonly string[] };

const FUNCTIONS = new Set([
  'and',
  'or',
  'not',
  'len',
  'index',
  'print',
  'println',
  'eq',
  'ne',
  'lt',
  'le',
  'gt',
  'ge',
]);

// ---- parsing ----

interface Action {
  readonly text: string;
  readonly start: number;
}

function lex(source: string): Array<string | Action> {
  const out: Array<string | Action> = [];
  let pos = 0;
  let trimNext = false;
  while (pos <= source.length) {
    const open = source.indexOf('{{', pos);
    let text = source.slice(pos, open === -1 ? source.length : open);
    if (trimNext) text = text.replace(/^\s+/, '');
    if (open === -1) {
      if (text !== '') out.push(text);
      break;
    }
    let inner = open + 2;
    if (
      source.startsWith('- ', inner) ||
      source.startsWith('-\t', inner) ||
      source.startsWith('-\n', inner)
    ) {
      text = text.replace(/\s+$/, '');
      inner += 1;
    }
    if (text !== '') out.push(text);
    const close = findClose(source, inner);
    if (close === -1) throw new TemplateError(`unclosed action at offset ${open}`);
    let end = close;
    trimNext = false;
    if (/\s-$/.test(source.slice(inner, close)) && close - 1 > inner) {
      end = close - 1;
      trimNext = true;
    }
    const body = source.slice(inner, end).trim();
    if (!(body.startsWith('/*') && body.endsWith('*/'))) out.push({ text: body, start: open });
    pos = close + 2;
  }
  return out;
}

/** The `}}` that closes an action, skipping quoted strings. */
function findClose(source: string, from: number): number {
  for (let i = from; i < source.length; i++) {
    const c = source[i];
    if (c === '"' || c === '`' || c === "'") {
      const quote = c;
      for (i++; i < source.length && source[i] !== quote; i++)
        if (source[i] === '\\' && quote !== '`') i++;
    } else if (c === '}' && source[i + 1] === '}') {
      return i;
    }
  }
  return -1;
}

const TOKEN =
  /\s*(\$[A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*|\.(?:[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)?|"(?:[^"\\]|\\.)*"|`[^`]*`|'(?:[^'\\]|\\.)'|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|[A-Za-z_][A-Za-z0-9_]*|:=|=|,|\||\(|\)(?:\.[A-Za-z0-9_]+)*)/y;

function tokens(text: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(text);
    if (m === null) {
      if (/^\s*$/.test(text.slice(at))) break;
      throw new TemplateError(`unexpected "${text.slice(at).trim()[0]}" in command`);
    }
    out.push(m[1] as string);
  }
  return out;
}

function parsePipe(toks: string[]): Pipe {
  let decl: string[] = [];
  let assign = false;
  const declEnd = toks.findIndex((t) => t === ':=' || t === '=');
  if (declEnd > 0 && toks.slice(0, declEnd).every((t) => t === ',' || /^\$\w*$/.test(t))) {
    decl = toks.slice(0, declEnd).filter((t) => t !== ',');
    assign = toks[declEnd] === '=';
    toks = toks.slice(declEnd + 1);
  }
  const cmds: Arg[][] = [[]];
  let i = 0;
  const parseArg = (): Arg => {
    const t = toks[i++] as string;
    if (t === '(') {
      let depth = 1;
      const start = i;
      while (i < toks.length && depth > 0) {
        const u = toks[i++] as string;
        if (u === '(') depth++;
        else if (u.startsWith(')')) depth--;
      }
      const closing = toks[i - 1] as string;
      if (depth !== 0) throw new TemplateError('unclosed left paren');
      const path = closing.split('.').slice(1);
      return { k: 'pipe', pipe: parsePipe(toks.slice(start, i - 1)), path };
    }
    if (t.startsWith('$')) {
      const [name, ...path] = t.split('.');
      return { k: 'var', name: name as string, path };
    }
    if (t.startsWith('.')) return { k: 'field', path: t === '.' ? [] : t.slice(1).split('.') };
    if (t.startsWith('"')) return { k: 'lit', value: { kind: 'string', value: JSON.parse(t) } };
    if (t.startsWith('`')) return { k: 'lit', value: { kind: 'string', value: t.slice(1, -1) } };
    if (/^-?\d/.test(t)) return { k: 'lit', value: { kind: 'number', value: Number(t) } };
    if (t === 'true' || t === 'false')
      return { k: 'lit', value: { kind: 'boolean', value: t === 'true' } };
    if (t === 'nil') return { k: 'lit', value: null };
    if (FUNCTIONS.has(t)) return { k: 'fn', name: t };
    throw new TemplateError(`function "${t}" not defined`);
  };
  while (i < toks.length) {
    if (toks[i] === '|') {
      i++;
      cmds.push([]);
      continue;
    }
    (cmds[cmds.length - 1] as Arg[]).push(parseArg());
  }
  if (cmds.some((c) => c.length === 0)) throw new TemplateError('missing value for command');
  return { decl, assign, cmds };
}

/** Parses a template into its tree; throws `TemplateError` with Go's wording where it can. */
export function parseTemplate(source: string): Node[] {
  const items = lex(source);
  let pos = 0;
  const list = (ends: readonly string[]): { nodes: Node[]; end: string } => {
    const nodes: Node[] = [];
    while (pos < items.length) {
      const item = items[pos++] as string | Action;
      if (typeof item === 'string') {
        nodes.push({ k: 'text', text: item });
        continue;
      }
      const [word = ''] = item.text.split(/\s+/, 1);
      if (word === 'end' || word === 'else') {
        if (!ends.includes(word)) throw new TemplateError(`unexpected {{${word}}}`);
        pos--;
        return { nodes, end: word };
      }
      if (word === 'if' || word === 'with' || word === 'range') {
        nodes.push(block(word, item.text.slice(word.length)));
      } else {
        nodes.push({ k: 'print', pipe: parsePipe(tokens(item.text)) });
      }
    }
    if (ends.length > 0) throw new TemplateError('unexpected EOF');
    return { nodes, end: '' };
  };
  const block = (word: 'if' | 'with' | 'range', rest: string): Node => {
    const pipe = parsePipe(tokens(rest));
    const body = list(['end', 'else']);
    let alternative: Node[] = [];
    const at = items[pos++] as Action;
    if (body.end === 'else') {
      const tail = at.text.slice(4).trim();
      if (tail.startsWith('if ') || tail.startsWith('with ')) {
        const nested = tail.startsWith('if ') ? 'if' : 'with';
        // `else if …` is an if inside the else branch, closed by the same {{end}}.
        alternative = [block(nested, tail.slice(nested.length))];
        return word === 'range'
          ? { k: 'range', pipe, body: body.nodes, else: alternative }
          : { k: word, pipe, body: body.nodes, else: alternative };
      }
      const rest2 = list(['end']);
      alternative = rest2.nodes;
      pos++;
    }
    return word === 'range'
      ? { k: 'range', pipe, body: body.nodes, else: alternative }
      : { k: word, pipe, body: body.nodes, else: alternative };
  };
  const { nodes } = list([]);
  return nodes;
}

// ---- execution ----

type Scope = Array<[string, TemplateValue]>;

function lookup(value: TemplateValue, path: readonly string[]): TemplateValue {
  let current = value;
  for (const key of path) {
    if (current === MISSING) return MISSING;
    if (current.kind !== 'object') {
      throw new TemplateError(`can't evaluate field ${key} in type ${goTypeName(current)}`);
    }
    let found: TemplateValue = MISSING;
    for (const [k, v] of current.entries.values()) {
      if (k.kind === 'string' && k.value === key) found = v;
    }
    current = found;
  }
  return current;
}

function goTypeName(value: Value): string {
  switch (value.kind) {
    case 'array':
    case 'set':
      return '[]interface {}';
    case 'object':
      return 'map[string]interface {}';
    case 'number':
      return 'json.Number';
    case 'boolean':
      return 'bool';
    case 'string':
      return 'string';
    case 'null':
      return 'interface {}';
  }
}

function truthy(value: TemplateValue): boolean {
  if (value === MISSING) return false;
  switch (value.kind) {
    case 'null':
      return false;
    case 'boolean':
      return value.value;
    case 'number':
      return Number(value.value) !== 0;
    case 'string':
      return value.value !== '';
    case 'array':
      return value.items.length > 0;
    case 'set':
      return value.items.size > 0;
    case 'object':
      return value.entries.size > 0;
  }
}

/** Go's `fmt` `%v` of the value OPA hands the template. */
export function goPrint(value: TemplateValue): string {
  if (value === MISSING) return '<undefined>';
  switch (value.kind) {
    case 'null':
      return '<no value>';
    case 'boolean':
      return String(value.value);
    case 'number':
      return formatNumber(value.value);
    case 'string':
      return value.value;
    case 'array':
      return `[${value.items.map(nested).join(' ')}]`;
    case 'set':
      return `[${[...value.items.values()].map(nested).join(' ')}]`;
    case 'object':
      return `map[${sortedEntries(value)
        .map(([k, v]) => `${nested(k)}:${nested(v)}`)
        .join(' ')}]`;
  }
}

function nested(value: Value): string {
  return value.kind === 'null' ? '<nil>' : goPrint(value);
}

function sortedEntries(value: Value & { kind: 'object' }): Array<readonly [Value, Value]> {
  return [...value.entries.values()].sort(([a], [b]) => {
    const x = goPrint(a);
    const y = goPrint(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

function compare(a: TemplateValue, b: TemplateValue, fn: string): number {
  if (a === MISSING || b === MISSING)
    throw new TemplateError(`error calling ${fn}: incompatible types for comparison`);
  if (a.kind === 'number' && b.kind === 'number') return Number(a.value) - Number(b.value);
  if (a.kind === 'string' && b.kind === 'string')
    return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
  if (a.kind === 'boolean' && b.kind === 'boolean' && (fn === 'eq' || fn === 'ne'))
    return a.value === b.value ? 0 : 1;
  throw new TemplateError(`error calling ${fn}: incompatible types for comparison`);
}

function str(value: string): Value {
  return { kind: 'string', value };
}

function call(name: string, args: TemplateValue[]): TemplateValue {
  switch (name) {
    case 'and': {
      for (const a of args) if (!truthy(a)) return a;
      return args[args.length - 1] ?? MISSING;
    }
    case 'or': {
      for (const a of args) if (truthy(a)) return a;
      return args[args.length - 1] ?? MISSING;
    }
    case 'not':
      return { kind: 'boolean', value: !truthy(args[0] ?? MISSING) };
    case 'len': {
      const a = args[0];
      if (a === undefined || a === MISSING)
        throw new TemplateError('error calling len: len of nil pointer');
      if (a.kind === 'string')
        return { kind: 'number', value: new TextEncoder().encode(a.value).length };
      if (a.kind === 'array') return { kind: 'number', value: a.items.length };
      if (a.kind === 'set') return { kind: 'number', value: a.items.size };
      if (a.kind === 'object') return { kind: 'number', value: a.entries.size };
      throw new TemplateError(`error calling len: len of type ${goTypeName(a)}`);
    }
    case 'index': {
      let current = args[0] ?? MISSING;
      for (const key of args.slice(1)) {
        if (current === MISSING || key === MISSING) return MISSING;
        if (current.kind === 'array' && key.kind === 'number') {
          const item = current.items[Number(key.value)];
          if (item === undefined)
            throw new TemplateError(`error calling index: index out of range: ${goPrint(key)}`);
          current = item;
        } else if (current.kind === 'object') {
          current = lookup(current, [goPrint(key)]);
        } else {
          throw new TemplateError(
            `error calling index: can't index item of type ${goTypeName(current)}`,
          );
        }
      }
      return current;
    }
    case 'print':
    case 'println': {
      // Go's Sprint puts spaces between operands when neither is a string.
      let out = '';
      args.forEach((a, i) => {
        const isString = a !== MISSING && a.kind === 'string';
        const prev = args[i - 1];
        const prevString = prev !== undefined && prev !== MISSING && prev.kind === 'string';
        if (i > 0 && (name === 'println' || (!isString && !prevString))) out += ' ';
        out += goPrint(a);
      });
      return str(name === 'println' ? `${out}\n` : out);
    }
    default: {
      const [a = MISSING, ...rest] = args;
      if (name === 'eq')
        return { kind: 'boolean', value: rest.some((b) => compare(a, b, name) === 0) };
      const c = compare(a, rest[0] ?? MISSING, name);
      const result =
        name === 'ne'
          ? c !== 0
          : name === 'lt'
            ? c < 0
            : name === 'le'
              ? c <= 0
              : name === 'gt'
                ? c > 0
                : c >= 0;
      return { kind: 'boolean', value: result };
    }
  }
}

class Executor {
  private output = '';

  constructor(private readonly root: Value) {}

  run(nodes: readonly Node[]): string {
    this.walk(nodes, this.root, [['$', this.root]]);
    return this.output;
  }

  private variable(scope: Scope, name: string): TemplateValue {
    for (let i = scope.length - 1; i >= 0; i--) {
      const entry = scope[i] as [string, TemplateValue];
      if (entry[0] === name) return entry[1];
    }
    throw new TemplateError(`undefined variable "${name}"`);
  }

  private arg(arg: Arg, dot: TemplateValue, scope: Scope): TemplateValue {
    switch (arg.k) {
      case 'field':
        return lookup(dot, arg.path);
      case 'var':
        return lookup(this.variable(scope, arg.name), arg.path);
      case 'lit':
        return arg.value ?? { kind: 'null' };
      case 'pipe':
        return lookup(this.pipe(arg.pipe, dot, scope), arg.path);
      case 'fn':
        return call(arg.name, []);
    }
  }

  private pipe(pipe: Pipe, dot: TemplateValue, scope: Scope): TemplateValue {
    let last: TemplateValue | undefined;
    for (const cmd of pipe.cmds) {
      const [head, ...rest] = cmd as [Arg, ...Arg[]];
      if (head.k === 'fn') {
        const args = rest.map((a) => this.arg(a, dot, scope));
        if (last !== undefined) args.push(last);
        last = call(head.name, args);
      } else {
        if (rest.length > 0 || last !== undefined) {
          throw new TemplateError(`can't give argument to non-function ${describe(head)}`);
        }
        last = this.arg(head, dot, scope);
      }
    }
    const value = last ?? MISSING;
    for (const name of pipe.decl) {
      if (pipe.assign) {
        const entry = [...scope].reverse().find(([n]) => n === name);
        if (entry === undefined) throw new TemplateError(`undefined variable "${name}"`);
        entry[1] = value;
      } else {
        scope.push([name, value]);
      }
    }
    return value;
  }

  private walk(nodes: readonly Node[], dot: TemplateValue, outer: Scope): void {
    const scope: Scope = [...outer];
    for (const node of nodes) {
      switch (node.k) {
        case 'text':
          this.output += node.text;
          break;
        case 'print': {
          const value = this.pipe(node.pipe, dot, scope);
          if (node.pipe.decl.length === 0) this.output += goPrint(value);
          break;
        }
        case 'if':
        case 'with': {
          const inner: Scope = [...scope];
          const value = this.pipe(node.pipe, dot, inner);
          if (truthy(value)) this.walk(node.body, node.k === 'with' ? value : dot, inner);
          else this.walk(node.else, dot, scope);
          break;
        }
        case 'range':
          this.range(node, dot, scope);
          break;
      }
    }
  }

  private range(node: Node & { k: 'range' }, dot: TemplateValue, scope: Scope): void {
    const plain: Pipe = { decl: [], assign: false, cmds: node.pipe.cmds };
    const value = this.pipe(plain, dot, [...scope]);
    let pairs: Array<[Value, Value]>;
    if (value === MISSING || value.kind === 'null') pairs = [];
    else if (value.kind === 'array')
      pairs = value.items.map((v, i) => [{ kind: 'number', value: i }, v]);
    else if (value.kind === 'set')
      pairs = [...value.items.values()].map((v, i) => [{ kind: 'number', value: i }, v]);
    else if (value.kind === 'object') pairs = sortedEntries(value).map(([k, v]) => [k, v]);
    else throw new TemplateError(`range can't iterate over ${goPrint(value)}`);
    if (pairs.length === 0) {
      this.walk(node.else, dot, scope);
      return;
    }
    const [first, second] = node.pipe.decl;
    for (const [key, item] of pairs) {
      const inner: Scope = [...scope];
      if (second !== undefined) {
        inner.push([first as string, key], [second, item]);
      } else if (first !== undefined) {
        inner.push([first, item]);
      }
      this.walk(node.body, item, inner);
    }
  }
}

function describe(arg: Arg): string {
  if (arg.k === 'lit') return arg.value === null ? 'nil' : goPrint(arg.value);
  if (arg.k === 'field') return `.${arg.path.join('.')}`;
  if (arg.k === 'var') return [arg.name, ...arg.path].join('.');
  return 'pipeline';
}

/** Renders a parsed template with `data` as dot; throws `TemplateError` on execution errors. */
export function executeTemplate(nodes: readonly Node[], data: Value): string {
  return new Executor(data).run(nodes);
}

export type TemplateTree = readonly Node[];
