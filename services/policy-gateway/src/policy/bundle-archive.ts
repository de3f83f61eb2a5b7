/**
 * Reads an OPA bundle archive (`.tar.gz`, as `opa build` writes it) into memory, within
 * bounds: the archive is inflated as a stream and refused as soon as its content passes
 * `maxBytes` or its entries pass `maxFiles`, so that a decompression bomb fails with a clear
 * error instead of exhausting memory. Only regular files are taken; a link, or a path that
 * climbs out of the bundle (`..`), is refused.
 */
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import { PolicyBundleError } from './policy-bundle-error.js';
import type { PolicyBundleFile } from './policy-bundle-file.js';

export interface BundleArchiveLimits {
  /** Bytes of file content the archive may hold once inflated. */
  readonly maxBytes: number;
  /** Entries the archive may hold. */
  readonly maxFiles: number;
}

export const DEFAULT_BUNDLE_ARCHIVE_LIMITS: BundleArchiveLimits = Object.freeze({
  maxBytes: 64 * 1024 * 1024,
  maxFiles: 10_000,
});

/** The files of the archive at `file`, with `/` paths relative to the bundle root. */
export async function readBundleArchive(
  file: string,
  limits: BundleArchiveLimits = DEFAULT_BUNDLE_ARCHIVE_LIMITS,
): Promise<PolicyBundleFile[]> {
  const files: PolicyBundleFile[] = [];
  let bytes = 0;
  let entries = 0;
  const archive = extract();
  archive.on('entry', (header, stream, next) => {
    entries++;
    if (entries > limits.maxFiles) {
      stream.resume();
      next(refuse(`holds more than ${limits.maxFiles} entries`));
      return;
    }
    if (header.type === 'directory') {
      stream.resume();
      stream.on('end', () => next());
      return;
    }
    if (header.type !== 'file') {
      stream.resume();
      next(refuse(`${header.name} is a ${header.type}; a bundle holds regular files only`));
      return;
    }
    let relativePath: string;
    try {
      relativePath = bundlePath(header.name);
    } catch (error) {
      stream.resume();
      next(error as Error);
      return;
    }
    const chunks: Buffer[] = [];
    stream.on('data', (data) => {
      const chunk = data as Buffer;
      bytes += chunk.length;
      if (bytes > limits.maxBytes) {
        stream.destroy(refuse(`inflates beyond ${limits.maxBytes} bytes (the bundle size limit)`));
        return;
      }
      chunks.push(chunk);
    });
    stream.on('error', next);
    stream.on('end', () => {
      files.push({ relativePath, content: Buffer.concat(chunks).toString('utf8') });
      next();
    });
  });
  try {
    await pipeline(createReadStream(file), createGunzip(), archive);
  } catch (error) {
    if (error instanceof PolicyBundleError) {
      throw new PolicyBundleError(`policy bundle ${file} ${error.message}`);
    }
    throw new PolicyBundleError(
      `policy bundle ${file} is not a readable .tar.gz: ${(error as Error).message}`,
    );
  }
  return files;
}

function refuse(reason: string): PolicyBundleError {
  return new PolicyBundleError(reason);
}

/** `./a/b.rego` and `/a/b.rego` → `a/b.rego`; a path that climbs out is refused. */
function bundlePath(name: string): string {
  const segments = name.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.includes('..')) throw refuse(`holds ${name}, a path outside the bundle`);
  return segments.join('/');
}
