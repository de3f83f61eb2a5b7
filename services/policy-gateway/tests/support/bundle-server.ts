/**
 * A bundle server on a local port, as bundle polling meets one: serves the `.tar.gz` of the
 * files last published with their ETag, 304 on a matching If-None-Match, 401 without the
 * bearer token.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';

/** A gzipped tar of `files` (path → content), as `opa build` writes a bundle. */
export async function bundleTarball(files: Readonly<Record<string, string>>): Promise<Buffer> {
  const archive = pack();
  const chunks: Buffer[] = [];
  archive.on('data', (chunk) => {
    chunks.push(chunk as Buffer);
  });
  const done = new Promise<void>((resolve) => archive.on('end', () => resolve()));
  for (const [name, content] of Object.entries(files)) archive.entry({ name: `/${name}` }, content);
  archive.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks));
}

export class BundleServer {
  readonly token: string;
  readonly requests: IncomingMessage[] = [];
  #current: { body: Buffer; etag: string } | undefined;
  #server: Server | undefined;
  url = '';

  constructor(token: string) {
    this.token = token;
  }

  async publish(files: Readonly<Record<string, string>>, etag: string): Promise<void> {
    this.#current = { body: await bundleTarball(files), etag: `"${etag}"` };
  }

  async listen(): Promise<void> {
    this.#server = createServer((request, response) => {
      this.requests.push(request);
      if (request.headers.authorization !== `Bearer ${this.token}`) {
        response.writeHead(401).end();
        return;
      }
      const current = this.#current;
      if (current === undefined) {
        response.writeHead(404).end();
      } else if (request.headers['if-none-match'] === current.etag) {
        response.writeHead(304, { etag: current.etag }).end();
      } else {
        response.writeHead(200, { etag: current.etag, 'content-type': 'application/gzip' });
        response.end(current.body);
      }
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server!.address() as AddressInfo).port}/bundles/b.tar.gz`;
  }

  async close(): Promise<void> {
    await new Promise((resolve) => this.#server?.close(resolve));
  }
}
