/**
 * What a setting is: its environment variable, how its value is parsed, its default and what it
 * means. A declaration is the only place these are written; `loadSettings` reads the environment
 * through it and the README's configuration table is printed from it.
 */

/** What parsers and computed defaults may depend on besides the variable itself. */
export interface SettingContext {
  /** The directory relative paths are resolved against. */
  readonly cwd: string;
  /** Whether another setting's variable has a value (blank counts as unset). */
  isSet(setting: SettingDeclaration<unknown>): boolean;
}

interface SettingBase<T> {
  readonly name: `POLICY_GATEWAY_${string}`;
  /** One or two sentences for the README: what it does, and what to set it to when. */
  readonly description: string;
  /**
   * Turns the value (trimmed, never empty) into the setting, or throws a `SettingsError` whose
   * one-line message names the variable and what it accepts.
   */
  readonly parse: (raw: string, name: string, context: SettingContext) => T;
}

/** A default that is a plain value; the README shows it as written unless told otherwise. */
export interface PlainDefaultSetting<T> extends SettingBase<T> {
  /** Not used to infer `T`: the parser's type decides, and an optional setting says `T | undefined`. */
  readonly default: NoInfer<T>;
  /** The README's Default cell, when the value alone would not say it well. */
  readonly documentedDefault?: string;
}

/** A default that depends on where the gateway runs or on another setting. */
export interface ComputedDefaultSetting<T> extends SettingBase<T> {
  readonly computeDefault: (context: SettingContext) => NoInfer<T>;
  /** The README's Default cell: how the default is found, for people. */
  readonly documentedDefault: string;
}

export type SettingDeclaration<T> = PlainDefaultSetting<T> | ComputedDefaultSetting<T>;

/**
 * Declares a setting. Returns the declaration as given, so that a plain default stays
 * readable as a typed value (`declaration.default`) by code that needs it.
 *
 * @example
 * const port = declareSetting({
 *   name: 'POLICY_GATEWAY_PORT',
 *   parse: integer(0, 65_535),
 *   default: 8080,
 *   description: 'TCP port (0 picks a free one).',
 * });
 */
export function declareSetting<T>(declaration: PlainDefaultSetting<T>): PlainDefaultSetting<T>;
export function declareSetting<T>(
  declaration: ComputedDefaultSetting<T>,
): ComputedDefaultSetting<T>;
export function declareSetting<T>(declaration: SettingDeclaration<T>): SettingDeclaration<T> {
  return Object.freeze(declaration);
}

export type Env = Readonly<Record<string, string | undefined>>;

/** The variable's value; empty and blank count as unset, so `FOO=` in a compose file means default. */
export function rawSetting(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** Reads one setting: its parsed value, or its default when the variable is unset. */
export function readSetting<T>(
  env: Env,
  setting: SettingDeclaration<T>,
  context: SettingContext,
): T {
  const raw = rawSetting(env, setting.name);
  if (raw !== undefined) return setting.parse(raw, setting.name, context);
  return 'computeDefault' in setting ? setting.computeDefault(context) : setting.default;
}

/** The README's Default cell: the documented form, else the plain value in code style. */
export function documentedDefault(setting: SettingDeclaration<unknown>): string {
  if ('computeDefault' in setting) return setting.documentedDefault;
  if (setting.documentedDefault !== undefined) return setting.documentedDefault;
  const value = setting.default;
  if (value === undefined) return '(unset)';
  return `\`${Array.isArray(value) ? value.join(',') : String(value)}\``;
}
