import { hostname } from 'node:os';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  documentedDefault,
  type PlainDefaultSetting,
  type SettingContext,
} from '../src/config/setting-declaration.js';
import { SETTING_DECLARATIONS } from '../src/config/setting-declarations.js';
import { listSettings, type SettingValues } from '../src/config/setting-tree.js';
import { loadSettings, type Settings } from '../src/config/settings.js';
import { SettingsError } from '../src/config/settings-error.js';

const cwd = '/srv/gateway';

function refusal(env: Record<string, string>): SettingsError {
  try {
    loadSettings(env, cwd);
  } catch (error) {
    if (error instanceof SettingsError) return error;
    throw error;
  }
  throw new Error('expected the settings to be refused');
}

describe('settings', () => {
  it('defaults to the embedded store under ./data/policy-gateway of the working directory', () => {
    const settings = loadSettings({}, cwd);
    expect(settings.store).toMatchObject({
      backend: 'embedded',
      dataDir: '/srv/gateway/data/policy-gateway',
    });
    expect(settings.port).toBe(8080);
    // This machine only, and no authentication: the workstation case.
    expect(settings.host).toBe('127.0.0.1');
    expect(settings.auth).toBeUndefined();
    expect(settings.allowedHosts).toEqual(['localhost']);
    expect(settings.corsOrigins).toEqual(['http://localhost:5173', 'http://127.0.0.1:5173']);
    expect(settings.maxPromptBytes).toBe(65_536);
    expect(settings.maxContextBytes).toBe(16_384);
    expect(settings.maxJsonDepth).toBe(32);
    expect(settings.instanceName).toBe(`${hostname()}:${process.pid}`);
    expect(settings.policy.path).toBe('data.policy_gateway.decision');
    expect(settings.policy.opaUrl).toBeUndefined();
  });

  it('chooses postgres when a database URL is set and the backend is not', () => {
    const settings = loadSettings(
      { POLICY_GATEWAY_DATABASE_URL: 'postgresql://u:p@db:5432/audit' },
      cwd,
    );
    expect(settings.store).toMatchObject({
      backend: 'postgres',
      databaseUrl: 'postgresql://u:p@db:5432/audit',
      poolSize: 10,
    });
  });

  it('reads a read replica beside a PostgreSQL primary, its password masked for logs', () => {
    const settings = loadSettings(
      {
        POLICY_GATEWAY_DATABASE_URL: 'postgresql://u:p@db:5432/audit',
        POLICY_GATEWAY_READ_DATABASE_URL: 'postgres://u:secret@replica:5432/audit',
      },
      cwd,
    );
    expect(settings.store).toMatchObject({
      backend: 'postgres',
      readReplica: {
        databaseUrl: 'postgresql://u:secret@replica:5432/audit',
        redactedDatabaseUrl: 'postgresql://u:***@replica:5432/audit',
      },
    });
  });

  const urls = [
    { note: 'postgresql://', raw: 'postgresql://u:p@db:5432/audit' },
    { note: 'postgres://', raw: 'postgres://u:p@db:5432/audit' },
    {
      note: 'the SQLAlchemy asyncpg form',
      raw: 'postgresql+asyncpg://policy_user:policy_pass@postgres:5432/sea_governance',
    },
  ];
  for (const { note, raw } of urls) {
    it(`accepts ${note} as written and hands pg a postgresql:// URL`, () => {
      const settings = loadSettings({ POLICY_GATEWAY_DATABASE_URL: raw }, cwd);
      if (settings.store.backend !== 'postgres') throw new Error('expected postgres');
      expect(settings.store.databaseUrl.startsWith('postgresql://')).toBe(true);
      expect(settings.store.databaseUrl.slice('postgresql://'.length)).toBe(raw.split('://')[1]);
      expect(settings.store.redactedDatabaseUrl).not.toContain(':p@');
      expect(settings.store.redactedDatabaseUrl).not.toContain('policy_pass');
    });
  }

  it('keeps the memory store only without a database URL, bounded as configured', () => {
    const settings = loadSettings(
      {
        POLICY_GATEWAY_AUDIT_STORE_BACKEND: 'memory',
        POLICY_GATEWAY_MEMORY_STORE_MAX_ENTRIES: '25',
      },
      cwd,
    );
    expect(settings.store).toEqual({
      backend: 'memory',
      maxEntries: 25,
      writeBatch: { maxEntries: 512, maxDelayMs: 0, queueMaxEntries: 10_000 },
    });
  });

  it('reads group commit settings for every store backend', () => {
    const settings = loadSettings(
      {
        POLICY_GATEWAY_DATABASE_URL: 'postgresql://db/audit',
        POLICY_GATEWAY_AUDIT_BATCH_MAX_ENTRIES: '64',
        POLICY_GATEWAY_AUDIT_BATCH_MAX_DELAY_MS: '2',
        POLICY_GATEWAY_AUDIT_QUEUE_MAX_ENTRIES: '500',
      },
      cwd,
    );
    expect(settings.store.writeBatch).toEqual({
      maxEntries: 64,
      maxDelayMs: 2,
      queueMaxEntries: 500,
    });
  });

  const refused: { note: string; env: Record<string, string>; variable: string; says: string }[] = [
    {
      note: 'memory with a database URL',
      env: {
        POLICY_GATEWAY_AUDIT_STORE_BACKEND: 'memory',
        POLICY_GATEWAY_DATABASE_URL: 'postgresql://db/audit',
      },
      variable: 'POLICY_GATEWAY_DATABASE_URL',
      says: 'memory',
    },
    {
      note: 'postgres without a database URL',
      env: { POLICY_GATEWAY_AUDIT_STORE_BACKEND: 'postgres' },
      variable: 'POLICY_GATEWAY_DATABASE_URL',
      says: 'postgresql://',
    },
    {
      note: 'an unknown backend',
      env: { POLICY_GATEWAY_AUDIT_STORE_BACKEND: 'sqlite' },
      variable: 'POLICY_GATEWAY_AUDIT_STORE_BACKEND',
      says: 'memory, postgres or embedded',
    },
    {
      note: 'a URL that is not a URL',
      env: { POLICY_GATEWAY_DATABASE_URL: 'not a url' },
      variable: 'POLICY_GATEWAY_DATABASE_URL',
      says: 'postgresql://',
    },
    {
      note: 'a URL of another database',
      env: { POLICY_GATEWAY_DATABASE_URL: 'mysql://u:p@db:3306/audit' },
      variable: 'POLICY_GATEWAY_DATABASE_URL',
      says: 'postgres://',
    },
    {
      note: 'a URL without a database name',
      env: { POLICY_GATEWAY_DATABASE_URL: 'postgresql://u:p@db:5432' },
      variable: 'POLICY_GATEWAY_DATABASE_URL',
      says: 'no database',
    },
    {
      note: 'a read replica with the embedded store',
      env: { POLICY_GATEWAY_READ_DATABASE_URL: 'postgresql://replica/audit' },
      variable: 'POLICY_GATEWAY_READ_DATABASE_URL',
      says: 'PostgreSQL server',
    },
    {
      note: 'a read replica with the memory store',
      env: {
        POLICY_GATEWAY_AUDIT_STORE_BACKEND: 'memory',
        POLICY_GATEWAY_READ_DATABASE_URL: 'postgresql://replica/audit',
      },
      variable: 'POLICY_GATEWAY_READ_DATABASE_URL',
      says: 'memory',
    },
    {
      note: 'a read replica that is the primary',
      env: {
        POLICY_GATEWAY_DATABASE_URL: 'postgresql://db/audit',
        POLICY_GATEWAY_READ_DATABASE_URL: 'postgres://db/audit',
      },
      variable: 'POLICY_GATEWAY_READ_DATABASE_URL',
      says: 'same server',
    },
    {
      note: 'a read replica URL without a database name',
      env: {
        POLICY_GATEWAY_DATABASE_URL: 'postgresql://db/audit',
        POLICY_GATEWAY_READ_DATABASE_URL: 'postgresql://replica',
      },
      variable: 'POLICY_GATEWAY_READ_DATABASE_URL',
      says: 'no database',
    },
    {
      note: 'a port out of range',
      env: { POLICY_GATEWAY_PORT: '70000' },
      variable: 'POLICY_GATEWAY_PORT',
      says: '0 to 65535',
    },
    {
      note: 'an audit queue of no entries',
      env: { POLICY_GATEWAY_AUDIT_QUEUE_MAX_ENTRIES: '0' },
      variable: 'POLICY_GATEWAY_AUDIT_QUEUE_MAX_ENTRIES',
      says: 'integer from 1',
    },
    {
      note: 'a non-numeric prompt limit',
      env: { POLICY_GATEWAY_MAX_PROMPT_BYTES: '64k' },
      variable: 'POLICY_GATEWAY_MAX_PROMPT_BYTES',
      says: 'integer',
    },
    {
      note: 'a JSON depth past what the gateway can process without deep recursion',
      env: { POLICY_GATEWAY_MAX_JSON_DEPTH: '100000' },
      variable: 'POLICY_GATEWAY_MAX_JSON_DEPTH',
      says: '2 to 1000',
    },
    {
      note: 'a context limit smaller than an empty object',
      env: { POLICY_GATEWAY_MAX_CONTEXT_BYTES: '1' },
      variable: 'POLICY_GATEWAY_MAX_CONTEXT_BYTES',
      says: 'integer from 2',
    },
    {
      note: 'a CORS origin with a path',
      env: { POLICY_GATEWAY_CORS_ORIGINS: 'http://localhost:5173/app' },
      variable: 'POLICY_GATEWAY_CORS_ORIGINS',
      says: 'origins',
    },
    {
      note: 'an OPA URL that is not http',
      env: { POLICY_GATEWAY_OPA_URL: 'opa:8181' },
      variable: 'POLICY_GATEWAY_OPA_URL',
      says: 'http://',
    },
    {
      note: 'an auth mode other than on or off',
      env: { POLICY_GATEWAY_AUTH: 'maybe' },
      variable: 'POLICY_GATEWAY_AUTH',
      says: 'on or off',
    },
    {
      note: 'an allowed host with a port',
      env: { POLICY_GATEWAY_ALLOWED_HOSTS: 'localhost,gateway:8080' },
      variable: 'POLICY_GATEWAY_ALLOWED_HOSTS',
      says: 'without port or scheme',
    },
    {
      note: 'an allowed host written as a URL',
      env: { POLICY_GATEWAY_ALLOWED_HOSTS: 'https://gateway.example.com' },
      variable: 'POLICY_GATEWAY_ALLOWED_HOSTS',
      says: 'without port or scheme',
    },
    {
      note: 'an allowed-hosts list that names no host',
      env: { POLICY_GATEWAY_ALLOWED_HOSTS: ',' },
      variable: 'POLICY_GATEWAY_ALLOWED_HOSTS',
      says: 'names no host',
    },
    {
      note: 'an unknown log level',
      env: { POLICY_GATEWAY_LOG_LEVEL: 'loud' },
      variable: 'POLICY_GATEWAY_LOG_LEVEL',
      says: 'info',
    },
  ];
  for (const c of refused) {
    it(`refuses ${c.note} with one line naming ${c.variable}`, () => {
      const error = refusal(c.env);
      expect(error.variable).toBe(c.variable);
      expect(error.message).toContain(c.variable);
      expect(error.message).toContain(c.says);
      expect(error.message).not.toContain('\n');
    });
  }

  it('treats empty variables as unset, as compose files write them', () => {
    const settings = loadSettings(
      {
        POLICY_GATEWAY_DATABASE_URL: '',
        POLICY_GATEWAY_PORT: ' ',
        POLICY_GATEWAY_AUDIT_STORE_BACKEND: '',
      },
      cwd,
    );
    expect(settings.store.backend).toBe('embedded');
    expect(settings.port).toBe(8080);
  });

  it('reads POLICY_GATEWAY_AUTH in any case, and allowed hosts lower-cased: names, .domains, IP addresses and *', () => {
    const settings = loadSettings(
      {
        POLICY_GATEWAY_AUTH: 'ON',
        POLICY_GATEWAY_ALLOWED_HOSTS: 'Gateway.Example.com, .internal, 127.0.0.1, [::1], *',
      },
      cwd,
    );
    expect(settings.auth).toBe('on');
    expect(settings.allowedHosts).toEqual([
      'gateway.example.com',
      '.internal',
      '127.0.0.1',
      '[::1]',
      '*',
    ]);
  });

  it('parses comma-separated CORS origins', () => {
    const settings = loadSettings(
      { POLICY_GATEWAY_CORS_ORIGINS: 'http://localhost:5173, https://workbench.example.com' },
      cwd,
    );
    expect(settings.corsOrigins).toEqual([
      'http://localhost:5173',
      'https://workbench.example.com',
    ]);
  });

  it('returns frozen settings', () => {
    const settings = loadSettings({}, cwd);
    expect(Object.isFrozen(settings)).toBe(true);
    expect(Object.isFrozen(settings.store)).toBe(true);
    expect(Object.isFrozen(settings.corsOrigins)).toBe(true);
  });
});

describe('setting declarations', () => {
  const declared = listSettings(SETTING_DECLARATIONS);

  /** The variables `loadSettings` looks up for an environment, whatever their values. */
  function variablesRead(env: Record<string, string>): Set<string> {
    const read = new Set<string>();
    const watched = new Proxy(env, {
      get(target, name) {
        if (typeof name === 'string') read.add(name);
        return target[name as string];
      },
    });
    loadSettings(watched, cwd);
    return read;
  }

  it('declares each variable once', () => {
    const names = declared.map((setting) => setting.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('reads only declared variables, and every declared one for some backend', () => {
    const read = new Set([
      ...variablesRead({ POLICY_GATEWAY_AUDIT_STORE_BACKEND: 'memory' }),
      ...variablesRead({}),
      ...variablesRead({ POLICY_GATEWAY_DATABASE_URL: 'postgresql://u:p@db:5432/audit' }),
    ]);
    expect([...read].sort()).toEqual(declared.map((setting) => setting.name).sort());
  });

  it('reads only the variables of the chosen store, and the data directory for every store', () => {
    const memory = variablesRead({ POLICY_GATEWAY_AUDIT_STORE_BACKEND: 'memory' });
    expect(memory).toContain('POLICY_GATEWAY_MEMORY_STORE_MAX_ENTRIES');
    expect(memory).not.toContain('POLICY_GATEWAY_DB_POOL_SIZE');
    // The audit signing key is generated there when no key file is given, whatever the store.
    expect(memory).toContain('POLICY_GATEWAY_DATA_DIR');
  });

  const context: SettingContext = { cwd, isSet: () => false };
  const plain = declared.filter(
    (setting): setting is PlainDefaultSetting<unknown> =>
      'default' in setting && setting.default !== undefined && !setting.documentedDefault,
  );
  for (const setting of plain) {
    it(`documents ${setting.name}'s default as a value that parses back to it`, () => {
      const shown = documentedDefault(setting);
      expect(shown).toMatch(/^`[^`]+`$/);
      expect(setting.parse(shown.slice(1, -1), setting.name, context)).toEqual(setting.default);
    });
  }

  it('fills every field of Settings but the store and the data directory, and nothing else', () => {
    const { store: _store, ...others } = SETTING_DECLARATIONS;
    expectTypeOf<SettingValues<typeof others>>().toEqualTypeOf<
      Omit<Settings, 'store' | 'dataDir'>
    >();
    expect(Object.keys(loadSettings({}, cwd)).sort()).toEqual(
      [...Object.keys(others), 'store', 'dataDir'].sort(),
    );
  });
});
