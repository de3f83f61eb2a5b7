/**
 * Declarations arranged the way `Settings` is: each key is the field a setting fills, a nested
 * object is a nested group. Reading a tree gives that shape, typed from the declarations, so a
 * new setting is its declaration in the tree plus its field in `Settings`.
 */
import {
  type Env,
  readSetting,
  type SettingContext,
  type SettingDeclaration,
} from './setting-declaration.js';

export interface SettingTree {
  readonly [field: string]: SettingDeclaration<unknown> | SettingTree;
}

/** The values a tree reads to: the same keys, each declaration replaced by its value's type. */
export type SettingValues<Tree extends SettingTree> = {
  readonly [Field in keyof Tree]: Tree[Field] extends SettingDeclaration<infer T>
    ? T
    : Tree[Field] extends SettingTree
      ? SettingValues<Tree[Field]>
      : never;
};

function isDeclaration(
  node: SettingDeclaration<unknown> | SettingTree,
): node is SettingDeclaration<unknown> {
  return typeof node.name === 'string' && typeof node.parse === 'function';
}

/** Reads every setting of the tree, in declaration order; throws on the first bad value. */
export function readSettingTree<Tree extends SettingTree>(
  env: Env,
  tree: Tree,
  context: SettingContext,
): SettingValues<Tree> {
  const values: Record<string, unknown> = {};
  for (const [field, node] of Object.entries(tree)) {
    values[field] = isDeclaration(node)
      ? readSetting(env, node, context)
      : readSettingTree(env, node, context);
  }
  return values as SettingValues<Tree>;
}

/** Every declaration of the tree, depth first in declaration order (the README's order). */
export function listSettings(tree: SettingTree): readonly SettingDeclaration<unknown>[] {
  return Object.values(tree).flatMap((node) => (isDeclaration(node) ? [node] : listSettings(node)));
}
