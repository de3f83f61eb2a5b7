export type * from './value.js';
export * from './value-builders.js';
export { compareNumbers, compareValues, valuesEqual } from './value-compare.js';
export { fromJs, parseJson, stringifyJson, toJs } from './value-json.js';
export { keyOf } from './value-key.js';
