/** Byte helpers that work in browsers too (no Buffer): UTF-8, base64 and hex codecs. */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}

export function fromUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** Strict standard base64 with padding, as Go's `StdEncoding` (which skips line breaks); undefined when invalid. */
export function fromBase64(encoded: string): Uint8Array | undefined {
  const text = encoded.replace(/[\r\n]/g, '');
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  try {
    const binary = atob(text);
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

export function toBase64Url(bytes: Uint8Array, pad: boolean): string {
  const text = toBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_');
  return pad ? text : text.replace(/=+$/, '');
}

/** URL-safe base64, padded or not. */
export function fromBase64Url(text: string): Uint8Array | undefined {
  if (/[+/]/.test(text)) return undefined;
  let standard = text.replace(/-/g, '+').replace(/_/g, '/');
  if (!standard.includes('=')) standard += '='.repeat((4 - (standard.length % 4)) % 4);
  return fromBase64(standard);
}

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

export function fromHex(text: string): Uint8Array | undefined {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) return undefined;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}
