import { describe, expect, it } from 'vitest';
import { decodePem, decodePemBlocks } from '../src/builtins/crypto/pem-blocks.js';

const block = (type: string, body = 'AQID') =>
  `-----BEGIN ${type}-----\n${body}\n-----END ${type}-----\n`;

describe('PEM blocks read as Go reads them', () => {
  it('gives the first block, its bytes, and the text after its end line', () => {
    const { block: first, rest } = decodePem(`${block('CERTIFICATE')}${block('PRIVATE KEY')}`);
    expect(first?.type).toBe('CERTIFICATE');
    expect([...(first?.bytes ?? [])]).toEqual([1, 2, 3]);
    expect(rest).toBe(block('PRIVATE KEY'));
  });

  it('skips text before a block and a malformed block, as pem.Decode does', () => {
    const text = `preamble\n-----BEGIN BROKEN-----\n!!!\n-----END BROKEN-----\n${block('PUBLIC KEY')}`;
    expect(decodePemBlocks(text).map((b) => b.type)).toEqual(['PUBLIC KEY']);
  });

  it('drops RFC 1421 headers and line breaks in the body', () => {
    const text =
      '-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: X\n\nAQ\nID\n-----END RSA PRIVATE KEY-----';
    expect([...(decodePem(text).block?.bytes ?? [])]).toEqual([1, 2, 3]);
  });

  it('finds no block where the end line names another type or text follows it', () => {
    expect(decodePem('-----BEGIN A-----\nAQID\n-----END B-----\n').block).toBeUndefined();
    expect(decodePem('-----BEGIN A-----\nAQID\n-----END A----- trailing\n').block).toBeUndefined();
    expect(decodePem('no pem at all').rest).toBe('no pem at all');
  });
});
