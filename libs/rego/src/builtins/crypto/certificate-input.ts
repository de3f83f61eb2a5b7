/**
 * The certificates in the text OPA's x509 builtins take: PEM (one or more `CERTIFICATE`
 * blocks), or base64 of PEM or of DER (several certificates may follow each other), as
 * OPA's `getX509CertsFromString` reads it.
 */
import { decodePem } from './pem-blocks.js';
import { decodeStdBase64 } from './std-base64.js';
import { X509Error } from './x509-error.js';

const BEGIN = '-----BEGIN';

/** The DER elements of concatenated DER, by their lengths; throws on a truncated one. */
function splitDer(der: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  while (at < der.length) {
    let length = der[at + 1];
    let header = 2;
    if (length === undefined) throw new X509Error('x509: malformed certificate');
    if (length & 0x80) {
      const count = length & 0x7f;
      if (count === 0 || count > 4) throw new X509Error('x509: malformed certificate');
      length = 0;
      for (let i = 0; i < count; i++) length = length * 256 + (der[at + 2 + i] ?? 0);
      header += count;
    }
    const end = at + header + length;
    if (end > der.length) throw new X509Error('x509: malformed certificate');
    out.push(der.subarray(at, end));
    at = end;
  }
  return out;
}

/** The DER of every `CERTIFICATE` block; another block type is an error, as in OPA. */
function fromPem(text: string): Uint8Array[] {
  const ders: Uint8Array[] = [];
  let rest = text;
  for (;;) {
    const { block, rest: after } = decodePem(rest);
    if (block === undefined) return ders;
    if (block.type !== 'CERTIFICATE')
      throw new X509Error(`PEM block type is '${block.type}', expected CERTIFICATE`);
    ders.push(...splitDer(block.bytes));
    rest = after;
  }
}

/** The DER of each certificate the text holds; throws `X509Error` with OPA's messages. */
export function certificatesFromText(text: string): Uint8Array[] {
  if (text.startsWith(BEGIN)) return fromPem(text);
  const decoded = decodeStdBase64(text);
  const asText = Buffer.from(decoded).toString('latin1');
  if (asText.startsWith(BEGIN)) return fromPem(Buffer.from(decoded).toString('utf8'));
  return splitDer(decoded);
}
