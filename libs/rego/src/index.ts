/** Public surface of the Rego engine: the engine, its errors, and the value model. */
export type {
  BuiltinContext,
  BuiltinDefinition,
  BuiltinImplementation,
} from './builtins/builtin.js';
export { BuiltinError } from './builtins/builtin.js';
export type {
  BuiltinDeclaration,
  Capabilities,
  OpaFunctionType,
  OpaType,
} from './builtins/builtin-declarations.js';
export type { NetworkAccess } from './builtins/network/network-access.js';
export type {
  EvalOptions,
  QueryOutput,
  QueryResult,
  RegoEngineOptions,
} from './engine/rego-engine.js';
export { RegoEngine } from './engine/rego-engine.js';
export type { RegoErrorCode, SourceLocation } from './errors/rego-error.js';
export { RegoCompileError, RegoError, RegoEvalError, RegoParseError } from './errors/rego-error.js';
export type { RegoVersion } from './parser/parser.js';
export { parseModule, parseQuery } from './parser/parser.js';
export {
  arr,
  bool,
  compareValues,
  fromJs,
  keyOf,
  NULL,
  num,
  obj,
  objFromRecord,
  parseJson,
  set,
  str,
  stringifyJson,
  toJs,
  valuesEqual,
} from './value/index.js';
export type {
  ArrayValue,
  BooleanValue,
  NullValue,
  NumberValue,
  ObjectValue,
  RegoNumber,
  SetValue,
  StringValue,
  Value,
  ValueKind,
} from './value/value.js';
