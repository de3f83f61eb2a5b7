/**
 * `policy-gateway policy test|eval|check|capabilities`: tools for policy authors, run on the
 * embedded engine with no database and no settings. `test` runs `test_*` rules the way `opa
 * test` does (PASS when the rule is true; FAIL when false or undefined; ERROR when it cannot be
 * evaluated), `eval` prints a query's results in OPA's JSON shape, `check` compiles the
 * modules and reports errors with `file:line:col`, and `capabilities` prints what the engine
 * offers in the shape of OPA's capabilities files (for `opa check --capabilities`). Paths are
 * directories (read recursively) or single files: `.rego` modules (tests included),
 * `data.json`/`data.yaml` mounted at their directory's path, as in a bundle.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseModule, RegoEngine, RegoError } from '@policy-gateway/rego';
import { parse as parseYaml } from 'yaml';

export const POLICY_USAGE = `  policy test <path>... [--verbose] [--run <regex>]
                   Run the test_* rules of the modules under the paths, as opa test does;
                   exit 0 when all pass, 1 when one fails, 2 on an error
  policy eval -d <path> [-d <path>]... [-i <input.json>] <query>
                   Evaluate a query and print its results in OPA's JSON shape
  policy check <path>... [--strict] [--schema <file-or-dir>]
                   Compile and type check the modules under the paths; print every error
                   (file:line:col: message), one per line, and exit 1 if there is one.
                   --strict adds OPA's strict-mode checks; --schema types input with a JSON
                   Schema file, or with a directory's input.json, whose files a/b.json are the
                   schema.a.b that # METADATA blocks name (data/a/b.json also types data.a.b)
  policy capabilities
                   Print the engine's builtins (with their types), future keywords and
                   features as OPA's capabilities JSON`;

/** Exit codes, as `opa test` uses them. */
const EXIT = Object.freeze({ OK: 0, FAILED: 1, ERROR: 2 });

export type PolicyCommand =
  | {
      readonly kind: 'test';
      readonly paths: readonly string[];
      readonly verbose: boolean;
      readonly run: RegExp | undefined;
    }
  | {
      readonly kind: 'eval';
      readonly data: readonly string[];
      readonly input: string | undefined;
      readonly query: string;
    }
  | {
      readonly kind: 'check';
      readonly paths: readonly string[];
      readonly strict: boolean;
      readonly schema: string | undefined;
    }
  | { readonly kind: 'capabilities' };

export interface PolicyCommandIo {
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream;
}

/** Parses the arguments after `policy`; a string is what is wrong with them. */
export function parsePolicyArgs(args: readonly string[]): PolicyCommand | { error: string } {
  const [sub, ...rest] = args;
  const paths: string[] = [];
  const data: string[] = [];
  let verbose = false;
  let run: RegExp | undefined;
  let input: string | undefined;
  let strict = false;
  let schema: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    const value = () => {
      const next = rest[++i];
      if (next === undefined) throw new Error(`${arg} needs a value`);
      return next;
    };
    try {
      if (sub === 'test' && (arg === '-v' || arg === '--verbose')) verbose = true;
      else if (sub === 'test' && arg === '--run') run = new RegExp(value());
      else if (sub === 'eval' && (arg === '-d' || arg === '--data')) data.push(value());
      else if (sub === 'eval' && (arg === '-i' || arg === '--input')) input = value();
      else if (sub === 'check' && (arg === '-S' || arg === '--strict')) strict = true;
      else if (sub === 'check' && (arg === '-s' || arg === '--schema')) schema = value();
      else if (arg.startsWith('-')) return { error: `policy ${sub}: unknown option ${arg}` };
      else paths.push(arg);
    } catch (error) {
      return { error: `policy ${sub}: ${(error as Error).message}` };
    }
  }
  if (sub === 'test' || sub === 'check') {
    if (paths.length === 0) return { error: `policy ${sub}: name at least one path` };
    return sub === 'test'
      ? { kind: 'test', paths, verbose, run }
      : { kind: 'check', paths, strict, schema };
  }
  if (sub === 'capabilities') {
    if (paths.length > 0) return { error: 'policy capabilities: takes no arguments' };
    return { kind: 'capabilities' };
  }
  if (sub === 'eval') {
    if (paths.length !== 1) return { error: 'policy eval: give exactly one query' };
    return { kind: 'eval', data, input, query: paths[0]! };
  }
  return {
    error: `policy: expected test, eval, check or capabilities, got ${sub ?? 'nothing'}`,
  };
}

export async function runPolicyCommand(
  command: PolicyCommand,
  io: PolicyCommandIo,
): Promise<number> {
  if (command.kind === 'capabilities') {
    io.out.write(
      `${JSON.stringify(new RegoEngine({ regoVersion: 'v1' }).capabilities(), null, 2)}\n`,
    );
    return EXIT.OK;
  }
  let sources: Sources;
  try {
    sources = await readSources(command.kind === 'eval' ? command.data : command.paths);
  } catch (error) {
    io.err.write(`policy-gateway: ${(error as Error).message}\n`);
    return EXIT.ERROR;
  }
  if (command.kind === 'check') return check(command, sources, io);
  const engine = new RegoEngine({ regoVersion: 'v1' });
  try {
    engine.addModules(sources.modules.map((m) => ({ fileName: m.file, source: m.content })));
    engine.setData(sources.data);
  } catch (error) {
    io.err.write(`${describe(error)}\n`);
    return EXIT.ERROR;
  }
  switch (command.kind) {
    case 'eval':
      return evaluate(engine, command, io);
    case 'test':
      return runTests(engine, sources, command, io);
  }
}

/**
 * `opa check`: every type error (typed by the schemas, if any) and, with --strict, every
 * strict-mode error, one line each (`file:line:col: message`); then whether the modules and
 * data load together (a rule and base data at one path conflict).
 */
async function check(
  command: Extract<PolicyCommand, { kind: 'check' }>,
  sources: Sources,
  io: PolicyCommandIo,
): Promise<number> {
  let engine: RegoEngine;
  try {
    const schemas = command.schema === undefined ? {} : await readSchemas(command.schema);
    engine = new RegoEngine({ regoVersion: 'v1', strict: command.strict, schemas });
  } catch (error) {
    io.err.write(`policy-gateway: ${(error as Error).message}\n`);
    return EXIT.ERROR;
  }
  const modules = sources.modules.map((m) => ({ fileName: m.file, source: m.content }));
  const errors: unknown[] = engine.check(modules);
  if (errors.length === 0) {
    try {
      engine.addModules(modules);
      engine.setData(sources.data);
    } catch (error) {
      errors.push(error);
    }
  }
  for (const error of errors) io.err.write(`${describe(error).split('\n')[0]}\n`);
  return errors.length > 0 ? EXIT.FAILED : EXIT.OK;
}

/**
 * JSON Schemas for `check --schema`, as `opa check --schema` reads them: a file is the schema
 * of input; in a directory, `input.json` types input and every file `a/b.json` is the schema
 * `schema.a.b` that `# METADATA` blocks may name. Here `data/a/b.json` also types `data.a.b`
 * (`.yaml` files too).
 */
async function readSchemas(at: string): Promise<Record<string, unknown>> {
  const info = await stat(at).catch(() => undefined);
  if (info === undefined) throw new Error(`cannot read schema ${at}: no such file or directory`);
  if (!info.isDirectory()) return { input: await readSchemaFile(at) };
  const schemas: Record<string, unknown> = {};
  for (const name of (await readdir(at, { recursive: true })).sort()) {
    const ext = path.extname(name);
    if (!['.json', '.yaml', '.yml'].includes(ext)) continue;
    const parts = name.slice(0, -ext.length).split(path.sep);
    const schema = await readSchemaFile(path.join(at, name));
    schemas[`schema.${parts.join('.')}`] = schema;
    if (parts.length === 1 && parts[0] === 'input') schemas.input = schema;
    else if (parts[0] === 'data' && parts.length > 1) schemas[parts.join('.')] = schema;
  }
  if (Object.keys(schemas).length === 0) throw new Error(`no schema file in ${at}`);
  return schemas;
}

async function readSchemaFile(file: string): Promise<unknown> {
  const text = await readFile(file, 'utf8');
  try {
    return file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new Error(`${file}: invalid schema file: ${(error as Error).message}`);
  }
}

interface SourceFile {
  readonly file: string;
  readonly content: string;
}

interface Sources {
  readonly modules: readonly SourceFile[];
  readonly data: Record<string, unknown>;
}

/** Reads `.rego` modules and data files under the paths, as `opa` reads its path arguments. */
async function readSources(paths: readonly string[]): Promise<Sources> {
  const modules: SourceFile[] = [];
  const data: Record<string, unknown> = {};
  for (const root of paths) {
    const isDir = (await stat(root).catch(() => undefined))?.isDirectory();
    if (isDir === undefined) throw new Error(`cannot read ${root}: no such file or directory`);
    const files = isDir
      ? (await readdir(root, { recursive: true })).map((name) => path.join(root, name)).sort()
      : [root];
    for (const file of files) {
      const base = path.basename(file);
      const shown = path.relative(process.cwd(), file) || file;
      if (base.endsWith('.rego')) {
        modules.push({ file: shown, content: await readFile(file, 'utf8') });
      } else if (base === 'data.json' || base === 'data.yaml' || base === 'data.yml') {
        const text = await readFile(file, 'utf8');
        let parsed: unknown;
        try {
          parsed = base === 'data.json' ? JSON.parse(text) : parseYaml(text);
        } catch (error) {
          throw new Error(`${shown}: invalid data file: ${(error as Error).message}`);
        }
        const at = isDir ? path.relative(root, path.dirname(file)).split(path.sep) : [];
        mount(
          data,
          at.filter((s) => s !== ''),
          parsed,
        );
      }
    }
  }
  if (modules.length === 0) throw new Error(`no .rego module found in ${paths.join(', ')}`);
  return { modules, data };
}

function mount(root: Record<string, unknown>, at: readonly string[], value: unknown): void {
  let target = root;
  for (const segment of at) {
    const next = target[segment];
    target[segment] = isRecord(next) ? next : {};
    target = target[segment] as Record<string, unknown>;
  }
  if (isRecord(value)) Object.assign(target, value);
}

function evaluate(
  engine: RegoEngine,
  command: Extract<PolicyCommand, { kind: 'eval' }>,
  io: PolicyCommandIo,
): Promise<number> {
  return (async () => {
    let input: unknown;
    if (command.input !== undefined) {
      try {
        input = JSON.parse(await readFile(command.input, 'utf8'));
      } catch (error) {
        io.err.write(
          `policy-gateway: cannot read input ${command.input}: ${(error as Error).message}\n`,
        );
        return EXIT.ERROR;
      }
    }
    try {
      const output = engine.evalQuery(command.query, input === undefined ? {} : { input });
      const results = output.results.map((result) => ({
        expressions: result.expressions.map((expression) => ({
          value: expression.value,
          text: expression.text,
          location: { row: 1, col: command.query.indexOf(expression.text) + 1 },
        })),
        ...(Object.keys(result.bindings).length === 0 ? {} : { bindings: result.bindings }),
      }));
      io.out.write(`${JSON.stringify(results.length === 0 ? {} : { result: results }, null, 2)}\n`);
      return EXIT.OK;
    } catch (error) {
      io.err.write(`${describe(error)}\n`);
      return EXIT.ERROR;
    }
  })();
}

interface TestRule {
  readonly file: string;
  readonly line: number;
  readonly ref: string;
}

function runTests(
  engine: RegoEngine,
  sources: Sources,
  command: Extract<PolicyCommand, { kind: 'test' }>,
  io: PolicyCommandIo,
): number {
  const tests: TestRule[] = [];
  for (const { file, content } of sources.modules) {
    const module = parseModule(file, content, 'v1');
    const seen = new Set<string>();
    for (const rule of module.rules) {
      const head = rule.ref[0];
      const name = head?.type === 'var' ? head.name : undefined;
      if (name === undefined || !name.startsWith('test_') || seen.has(name)) continue;
      seen.add(name);
      const ref = `data.${module.packagePath.join('.')}.${name}`;
      if (command.run === undefined || command.run.test(ref)) {
        tests.push({ file, line: rule.loc.line, ref });
      }
    }
  }
  let failed = 0;
  let errored = 0;
  const lines: string[] = [];
  for (const test of tests) {
    const started = performance.now();
    let outcome: string;
    try {
      const value = engine.evalRule(test.ref);
      outcome = value === true ? 'PASS' : 'FAIL';
    } catch (error) {
      outcome = `ERROR\n  ${describe(error)}`;
    }
    const took = `${((performance.now() - started) * 1000).toFixed(0)}µs`;
    if (outcome === 'FAIL') failed++;
    else if (outcome !== 'PASS') errored++;
    if (command.verbose || outcome !== 'PASS') {
      lines.push(`${test.file}:${test.line}: ${test.ref}: ${outcome} (${took})`);
    }
  }
  for (const line of lines) io.out.write(`${line}\n`);
  const passed = tests.length - failed - errored;
  io.out.write(`${'-'.repeat(80)}\n`);
  if (passed > 0) io.out.write(`PASS: ${passed}/${tests.length}\n`);
  if (failed > 0) io.out.write(`FAIL: ${failed}/${tests.length}\n`);
  if (errored > 0) io.out.write(`ERROR: ${errored}/${tests.length}\n`);
  if (tests.length === 0) io.out.write('no test_ rules found\n');
  return errored > 0 ? EXIT.ERROR : failed > 0 ? EXIT.FAILED : EXIT.OK;
}

function describe(error: unknown): string {
  if (error instanceof RegoError) return error.message;
  return error instanceof Error ? error.message : String(error);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
