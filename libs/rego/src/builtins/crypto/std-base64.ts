/**
 * Standard base64 as Go's `base64.StdEncoding.DecodeString` reads it for the x509 builtins,
 * with Go's error naming the first byte it could not use.
 */
import { fromBase64 } from '../encoding/bytes.js';
import { X509Error } from './x509-error.js';

const ALPHABET = /[A-Za-z0-9+/=\r\n]/;

export function decodeStdBase64(text: string): Uint8Array {
  const bytes = fromBase64(text);
  if (bytes !== undefined) return bytes;
  let position = [...text].findIndex((c) => !ALPHABET.test(c));
  if (position < 0) {
    // Every character is of the alphabet: the length or the padding is wrong, which Go
    // reports at the start of the last, incomplete quantum.
    const padding = text.indexOf('=');
    position = padding >= 0 ? padding : text.length - (text.length % 4);
  }
  throw new X509Error(`illegal base64 data at input byte ${position}`);
}
