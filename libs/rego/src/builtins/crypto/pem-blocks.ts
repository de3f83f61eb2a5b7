/**
 * PEM blocks read as Go's `encoding/pem.Decode` reads them, since OPA's key and certificate
 * builtins decide what to accept by the blocks Go finds: the first well-formed
 * `-----BEGIN TYPE-----` … `-----END TYPE-----` block (malformed ones are skipped), its
 * headers dropped, and the text after its end line.
 */
import { fromBase64 } from '../encoding/bytes.js';

export interface PemBlock {
  /** The word(s) after BEGIN: `CERTIFICATE`, `PUBLIC KEY`, `RSA PRIVATE KEY`, … */
  readonly type: string;
  /** The DER bytes the base64 body holds. */
  readonly bytes: Uint8Array;
}

export interface PemDecoded {
  /** The first well-formed block, or undefined when there is none. */
  readonly block: PemBlock | undefined;
  /** What follows the block's end line (the whole text when there is no block). */
  readonly rest: string;
}

const BEGIN = '-----BEGIN ';
const DASHES = '-----';

/** The line at `start` (without its line break) and where the next line starts. */
function lineAt(text: string, start: number): { line: string; next: number } {
  const end = text.indexOf('\n', start);
  if (end < 0) return { line: text.slice(start), next: text.length };
  return { line: text.slice(start, end), next: end + 1 };
}

/** The body without RFC 1421 headers (`Proc-Type: …` lines up to a blank line). */
function withoutHeaders(body: string): string {
  const lines = body.split('\n');
  if (!(lines[0] ?? '').includes(':')) return body;
  const blank = lines.findIndex((line) => line.trim() === '');
  return blank < 0 ? '' : lines.slice(blank + 1).join('\n');
}

function blockAt(text: string, begin: number): { block: PemBlock; rest: string } | undefined {
  const typeLine = lineAt(text, begin + BEGIN.length);
  const trimmed = typeLine.line.trimEnd();
  if (!trimmed.endsWith(DASHES)) return undefined;
  const type = trimmed.slice(0, -DASHES.length);
  const endMarker = `${DASHES}END ${type}${DASHES}`;
  const end = text.indexOf(endMarker, typeLine.next);
  if (end < 0 || (end > typeLine.next && text[end - 1] !== '\n')) return undefined;
  const endLine = lineAt(text, end + endMarker.length);
  if (endLine.line.trim() !== '') return undefined;
  const body = withoutHeaders(text.slice(typeLine.next, end)).replace(/[ \t\r\n]/g, '');
  const bytes = fromBase64(body);
  if (bytes === undefined) return undefined;
  return { block: { type, bytes }, rest: text.slice(endLine.next) };
}

/** The first PEM block of `text` and the text after it, as Go's `pem.Decode`. */
export function decodePem(text: string): PemDecoded {
  let from = 0;
  for (;;) {
    const begin = text.indexOf(BEGIN, from);
    if (begin < 0) return { block: undefined, rest: text };
    if (begin === 0 || text[begin - 1] === '\n') {
      const found = blockAt(text, begin);
      if (found !== undefined) return found;
    }
    from = begin + 1;
  }
}

/** Every PEM block of `text` in order; stops at the first stretch that holds none. */
export function decodePemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  let rest = text;
  for (;;) {
    const decoded = decodePem(rest);
    if (decoded.block === undefined) return blocks;
    blocks.push(decoded.block);
    rest = decoded.rest;
  }
}
