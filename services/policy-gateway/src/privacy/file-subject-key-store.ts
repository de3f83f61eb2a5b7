/**
 * `SubjectKeyStore` in a directory: one small JSON file per subject, named by its
 * `subjectRef` (a hex digest), written once with an exclusive create and removed on erasure.
 * The default store: the gateway's data directory (`<data dir>/subject-keys`), or the directory
 * an operator names (POLICY_GATEWAY_SUBJECT_KEYS_DIR), kept out of the audit database's
 * backups. Removing a file does not scrub the disk blocks it used; the key inside is wrapped,
 * so what remains is readable only with the KEK (see the README on backups and disks).
 *
 * Destructions are announced to this process's caches when made here, and when another process
 * on the same machine removes a file (the workers of `serve`, or the CLI), through a watch on the
 * directory (inotify). A watch sees nothing a process on another host does to a network volume:
 * replicas on several hosts keep their keys in PostgreSQL (`postgres-subject-key-store.ts`).
 */
import { existsSync, type FSWatcher, mkdirSync, watch } from 'node:fs';
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type {
  StoredSubjectKey,
  SubjectKeyDestructions,
  SubjectKeyStore,
} from './subject-key-store.js';

interface KeyFile {
  readonly subject_ref: string;
  readonly key_id: string;
  readonly kek_id: string;
  readonly wrapped_key: string;
  readonly created_at: string;
}

const SUBJECT_REF = /^[0-9a-f]{64}$/;

export class FileSubjectKeyStore implements SubjectKeyStore {
  readonly location: string;
  readonly destructions: SubjectKeyDestructions;
  readonly #dir: string;
  readonly #listeners = new Set<(subjectRef: string | undefined) => void>();
  #watcher: FSWatcher | undefined;
  #ready: Promise<unknown> | undefined;

  constructor(dir: string) {
    this.#dir = dir;
    this.location = `directory ${dir}`;
    const store = this;
    this.destructions = {
      get listening() {
        return store.#watcher !== undefined;
      },
      subscribe: (listener) => {
        this.#listeners.add(listener);
        this.#watch();
        return () => {
          this.#listeners.delete(listener);
        };
      },
    };
  }

  async current(subjectRef: string): Promise<StoredSubjectKey | undefined> {
    let text: string;
    try {
      text = await readFile(this.#fileOf(subjectRef), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const file = JSON.parse(text) as KeyFile;
    return {
      subjectRef: file.subject_ref,
      keyId: file.key_id,
      kekId: file.kek_id,
      wrappedKey: Buffer.from(file.wrapped_key, 'base64'),
      createdAt: file.created_at,
    };
  }

  async createIfAbsent(key: StoredSubjectKey): Promise<StoredSubjectKey> {
    this.#ready ??= mkdir(this.#dir, { recursive: true, mode: 0o700 });
    await this.#ready;
    const body: KeyFile = {
      subject_ref: key.subjectRef,
      key_id: key.keyId,
      kek_id: key.kekId,
      wrapped_key: key.wrappedKey.toString('base64'),
      created_at: key.createdAt,
    };
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(this.#fileOf(key.subjectRef), 'wx', 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const existing = await this.current(key.subjectRef);
      if (existing === undefined) return this.createIfAbsent(key);
      return existing;
    }
    try {
      await handle.writeFile(`${JSON.stringify(body)}\n`);
      // Durable before any original is sealed under it.
      await handle.sync();
    } finally {
      await handle.close();
    }
    return key;
  }

  async currentKeyIds(subjectRefs: readonly string[]): Promise<ReadonlyMap<string, string>> {
    const refs = [...new Set(subjectRefs)];
    const keys = await Promise.all(refs.map((ref) => this.current(ref)));
    return new Map(keys.flatMap((key) => (key === undefined ? [] : [[key.subjectRef, key.keyId]])));
  }

  async destroy(subjectRef: string): Promise<StoredSubjectKey | undefined> {
    const existing = await this.current(subjectRef);
    if (existing === undefined) return undefined;
    await rm(this.#fileOf(subjectRef), { force: true });
    this.#announce(subjectRef);
    return existing;
  }

  async close(): Promise<void> {
    this.#watcher?.close();
    this.#watcher = undefined;
  }

  #announce(subjectRef: string | undefined): void {
    for (const listener of this.#listeners) listener(subjectRef);
  }

  /** Watches the directory for files removed by other processes; on failure, stops listening. */
  #watch(): void {
    if (this.#watcher !== undefined) return;
    try {
      mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
      const watcher = watch(this.#dir, { persistent: false }, (_event, name) => {
        const subjectRef = typeof name === 'string' ? name.replace(/\.json$/, '') : '';
        if (!SUBJECT_REF.test(subjectRef)) return this.#announce(undefined);
        // A file made (a new subject's key) is no destruction.
        if (!existsSync(this.#fileOf(subjectRef))) this.#announce(subjectRef);
      });
      watcher.on('error', () => {
        watcher.close();
        if (this.#watcher === watcher) this.#watcher = undefined;
        this.#announce(undefined);
      });
      this.#watcher = watcher;
    } catch {
      this.#watcher = undefined;
    }
    this.#announce(undefined);
  }

  #fileOf(subjectRef: string): string {
    if (!SUBJECT_REF.test(subjectRef)) throw new Error(`not a subject reference: ${subjectRef}`);
    return path.join(this.#dir, `${subjectRef}.json`);
  }
}
