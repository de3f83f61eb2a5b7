/**
 * Making, listing and revoking API keys: what `policy-gateway keys …` and the admin routes
 * (`/admin/keys`) both do, over the key repository. A new key's secret leaves here once, in
 * the result of `create`; nothing else ever returns it or its hash.
 */
import type { ApiKeyRecord, ApiKeyRepository } from './api-key-repository.js';
import { mintApiKey } from './api-key-token.js';
import type { Role } from './principal.js';

/** A key as it is shown: everything but the hash. */
export type ApiKeyDescription = Omit<ApiKeyRecord, 'secretHash'>;

export interface NewApiKey {
  readonly role: Role;
  readonly name?: string | null;
  readonly expiresAt?: Date | null;
  /** The principal making it; null from the CLI. */
  readonly createdBy?: string | null;
}

export const API_KEY_NAME_MAX_LENGTH = 200;

/** A one-line reason the name cannot be a key's name, or undefined when it can. */
export function apiKeyNameProblem(name: string): string | undefined {
  if (name.trim() === '') return 'the name is empty';
  if (name.length > API_KEY_NAME_MAX_LENGTH) {
    return `the name is longer than ${API_KEY_NAME_MAX_LENGTH} characters`;
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses.
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'the name holds control characters';
  return undefined;
}

export function describeApiKey(record: ApiKeyRecord): ApiKeyDescription {
  const { secretHash: _hash, ...description } = record;
  return description;
}

export class ApiKeyManager {
  readonly #keys: ApiKeyRepository;
  readonly #now: () => Date;

  constructor(keys: ApiKeyRepository, options: { readonly now?: () => Date } = {}) {
    this.#keys = keys;
    this.#now = options.now ?? (() => new Date());
  }

  get durable(): boolean {
    return this.#keys.durable;
  }

  /** Stores a new key; its text is in the result and nowhere else. */
  async create(
    request: NewApiKey,
  ): Promise<{ readonly key: string; readonly description: ApiKeyDescription }> {
    const minted = mintApiKey();
    const record = {
      id: minted.id,
      name: request.name?.trim() || null,
      role: request.role,
      secretHash: minted.secretHash,
      createdAt: this.#now(),
      createdBy: request.createdBy ?? null,
      expiresAt: request.expiresAt ?? null,
    };
    await this.#keys.insert(record);
    return {
      key: minted.key,
      description: { ...describeApiKey({ ...record, revokedAt: null, lastUsedAt: null }) },
    };
  }

  async list(limit: number): Promise<readonly ApiKeyDescription[]> {
    return (await this.#keys.list({ limit })).map(describeApiKey);
  }

  /** The revoked key (revoked at once, or earlier), or undefined when there is none. */
  async revoke(id: string): Promise<ApiKeyDescription | undefined> {
    const record = await this.#keys.revoke(id, this.#now());
    return record === undefined ? undefined : describeApiKey(record);
  }
}
