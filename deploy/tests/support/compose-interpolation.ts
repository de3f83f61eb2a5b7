// Compose's variable interpolation, for tests that read compose.yaml as Compose would run it:
// `${NAME}`, `${NAME:-default}` (default when unset or empty), `${NAME-default}` (default when
// unset), `$NAME`, and `$$` for a literal `$`. Other forms (`:?`, `:+`) are refused, so a test
// never reads a value Compose would compute differently.

export type ComposeVariables = Readonly<Record<string, string | undefined>>;

const REFERENCE = /\$(\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/** One string with its variables replaced as Compose would, from `variables`. */
export function interpolate(text: string, variables: ComposeVariables): string {
  if (/\$\{[^}]*[:]?[?+]/.test(text)) throw new Error(`unsupported interpolation in ${text}`);
  return text.replace(
    REFERENCE,
    (whole, dollar: string, name?: string, operator?: string, fallback?: string, bare?: string) => {
      if (dollar === '$') return '$';
      const variable = name ?? bare;
      if (variable === undefined) throw new Error(`unreadable interpolation ${whole}`);
      const value = variables[variable];
      if (operator === ':-') return value === undefined || value === '' ? (fallback ?? '') : value;
      if (operator === '-') return value === undefined ? (fallback ?? '') : value;
      return value ?? '';
    },
  );
}

/** Every string of a parsed YAML document interpolated (keys are left as written). */
export function interpolateAll<T>(value: T, variables: ComposeVariables): T {
  if (typeof value === 'string') return interpolate(value, variables) as T;
  if (Array.isArray(value)) return value.map((item) => interpolateAll(item, variables)) as T;
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, interpolateAll(item, variables)]),
    ) as T;
  return value;
}
