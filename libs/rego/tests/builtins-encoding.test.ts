import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { arr, num, obj, set, str } from '../src/value/index.js';
import { call, callError, callValue } from './builtin-harness.js';

describe('base64, base64url and hex', () => {
  it('encode UTF-8 text and decode it back', () => {
    expect(call('base64.encode', 'héllo')).toBe('aMOpbGxv');
    expect(call('base64.decode', 'aMOpbGxv')).toBe('héllo');
    expect(call('base64.decode', 'aMOp\nbGxv')).toBe('héllo');
    expect(call('base64url.encode', '??>')).toBe('Pz8-');
    expect(call('base64url.encode_no_pad', 'a')).toBe('YQ');
    expect(call('base64url.encode', 'a')).toBe('YQ==');
    expect(call('base64url.decode', 'YQ')).toBe('a');
    expect(call('hex.encode', 'hi')).toBe('6869');
    expect(call('hex.decode', '6869')).toBe('hi');
  });

  it('reject malformed input', () => {
    expect(call('base64.is_valid', 'aGk=')).toBe(true);
    expect(call('base64.is_valid', 'aGk')).toBe(false);
    expect(callError('base64.decode', '!!')).toBe('base64.decode: invalid base64 input');
    expect(callError('hex.decode', 'zz')).toBe('hex.decode: invalid hex input');
  });
});

describe('JSON', () => {
  it('marshals compactly with sorted keys and Go escaping of <, > and &', () => {
    expect(call('json.marshal', { b: [1, '<a&b>'], a: null })).toBe(
      '{"a":null,"b":[1,"\\u003ca\\u0026b\\u003e"]}',
    );
    expect(callValue('json.marshal', [set([num(2), num(1)])])).toEqual(str('[1,2]'));
    expect(call('json.marshal', 12345678901234567890n)).toBe('12345678901234567890');
  });

  it('marshals with indentation when asked', () => {
    expect(call('json.marshal_with_options', { a: [1] }, { indent: '  ' })).toBe(
      '{\n  "a": [\n    1\n  ]\n}',
    );
    expect(call('json.marshal_with_options', { a: 1 }, { pretty: false })).toBe('{"a":1}');
    expect(callError('json.marshal_with_options', {}, { colour: true })).toMatch(
      /unknown key colour/,
    );
  });

  it('unmarshals with big integers kept exact, and validates', () => {
    expect(call('json.unmarshal', '{"n": 1703444325734390000, "f": 1.5}')).toEqual({
      f: 1.5,
      n: 1703444325734390000n,
    });
    expect(call('json.is_valid', '[1,')).toBe(false);
    expect(call('json.is_valid', '{"a": [true, null]}')).toBe(true);
    expect(callError('json.unmarshal', '{')).toMatch(/^json.unmarshal: /);
  });

  it('writes non-string keys as JSON text', () => {
    expect(callValue('json.marshal', [obj([[num(1), str('x')]])])).toEqual(str('{"1":"x"}'));
    expect(callValue('json.marshal', [obj([[arr([num(1)]), str('x')]])])).toEqual(
      str('{"[1]":"x"}'),
    );
  });
});

describe('URL query strings', () => {
  it('escape and unescape as Go url.QueryEscape does', () => {
    expect(call('urlquery.encode', 'a b&c=é')).toBe('a+b%26c%3D%C3%A9');
    expect(call('urlquery.decode', 'a+b%26c%3D%C3%A9')).toBe('a b&c=é');
    expect(callError('urlquery.decode', '%zz')).toMatch(/^urlquery.decode: invalid URL escape/);
  });

  it('encode objects with sorted keys and repeated values, and decode them to arrays', () => {
    expect(call('urlquery.encode_object', { b: ['1', '2'], a: 'x y' })).toBe('a=x+y&b=1&b=2');
    expect(call('urlquery.decode_object', 'a=1&b=2&a=3')).toEqual({ a: ['1', '3'], b: ['2'] });
  });
});

describe('YAML', () => {
  it('unmarshals YAML 1.1 scalars as Go does, keeping big integers exact', () => {
    expect(call('yaml.unmarshal', 'a: yes\nb: [1, 2]\nc: 12345678901234567890\nd: ~')).toEqual({
      a: true,
      b: [1, 2],
      c: 12345678901234567890n,
      d: null,
    });
  });

  it('marshals block YAML and validates text', () => {
    expect(call('yaml.marshal', { b: [1, 'x'], a: { c: true } })).toBe(
      'a:\n  c: true\nb:\n- 1\n- x\n',
    );
    expect(call('yaml.is_valid', 'a: [1')).toBe(false);
    expect(call('yaml.is_valid', 'a: 1')).toBe(true);
    expect(callError('yaml.unmarshal', 'a: [1')).toMatch(/^yaml.unmarshal: /);
  });

  it('reads only the first YAML document, as OPA (yaml.v2) does: what follows its end is not parsed', () => {
    expect(call('yaml.unmarshal', '---\na: 1\n---\nb: 2')).toEqual({ a: 1 });
    expect(call('yaml.is_valid', 'a: 1\n---\nb: 2')).toBe(true);
    expect(call('yaml.is_valid', 'a: 1\n---\nkey: : bad')).toBe(true);
    expect(call('yaml.is_valid', 'key: : bad\n---\na: 1')).toBe(false);
    expect(call('yaml.unmarshal', '---\n')).toBeNull();
  });
});

describe('crypto hashes', () => {
  it('hash UTF-8 text to lowercase hex', () => {
    expect(call('crypto.md5', 'abc')).toBe('900150983cd24fb0d6963f7d28e17f72');
    expect(call('crypto.sha1', 'abc')).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
    expect(call('crypto.sha256', 'abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('computes HMACs and compares them', () => {
    expect(call('crypto.hmac.sha256', 'The quick brown fox jumps over the lazy dog', 'key')).toBe(
      'f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8',
    );
    expect(call('crypto.hmac.equal', 'abc', 'abc')).toBe(true);
    expect(call('crypto.hmac.equal', 'abc', 'abd')).toBe(false);
  });
});

describe('JSON Web Tokens', () => {
  // HS256 token for {"sub": "1234567890", "name": "John Doe", "iat": 1516239022} signed with "secret".
  const token =
    'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.XbPfbIHMI6arZ3Y922BhjWgQzWXcXNrz0ogtVhfEd2o';

  it('decodes header, payload and signature', () => {
    const [header, payload, signature] = call('io.jwt.decode', token) as [unknown, unknown, string];
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(payload).toEqual({ sub: '1234567890', name: 'John Doe', iat: 1516239022 });
    expect(signature).toMatch(/^[0-9a-f]{64}$/);
  });

  it('decodes the innermost token of a nested one (cty: JWT), quoted or not', () => {
    const b64 = (text: string) =>
      btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    const header = b64(JSON.stringify({ alg: 'HS256', typ: 'JWT', cty: 'JWT' }));
    const nest = (inner: string) => `${header}.${b64(inner)}.${b64('sig')}`;
    const innermost = call('io.jwt.decode', token);
    expect(call('io.jwt.decode', nest(`"${token}"`))).toEqual(innermost);
    expect(call('io.jwt.decode', nest(nest(token)))).toEqual(innermost);
    expect(callError('io.jwt.decode', nest('{"sub": "x"}'))).toBe(
      'io.jwt.decode: encoded JWT had no period separators',
    );
  });

  it('verifies HMAC signatures', () => {
    expect(call('io.jwt.verify_hs256', token, 'secret')).toBe(true);
    expect(call('io.jwt.verify_hs256', token, 'wrong')).toBe(false);
  });

  it('decodes and verifies with a secret, checking alg, iss, aud and time claims', () => {
    const [valid, header, payload] = call('io.jwt.decode_verify', token, { secret: 'secret' }) as [
      boolean,
      unknown,
      unknown,
    ];
    expect(valid).toBe(true);
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(payload).toEqual({ sub: '1234567890', name: 'John Doe', iat: 1516239022 });
    expect(call('io.jwt.decode_verify', token, { secret: 'wrong' })).toEqual([false, {}, {}]);
    expect(call('io.jwt.decode_verify', token, { secret: 'secret', alg: 'HS512' })).toEqual([
      false,
      {},
      {},
    ]);
    expect(call('io.jwt.decode_verify', token, { secret: 'secret', iss: 'someone' })).toEqual([
      false,
      {},
      {},
    ]);
    expect(call('io.jwt.decode_verify', token, { secret: 'secret', aud: 'api' })).toEqual([
      false,
      {},
      {},
    ]);
    expect(callError('io.jwt.decode_verify', token, { cert: 'PEM' })).toMatch(
      /failed to parse a JWK key \(set\)/,
    );
  });

  it('checks exp and nbf against the time constraint or the query clock', () => {
    const b64 = (bytes: Uint8Array) =>
      btoa(String.fromCharCode(...bytes))
        .replace(/\+/g, '-')
        .replace(/\//g, '_')
        .replace(/=+$/, '');
    const text = (o: unknown) => b64(new TextEncoder().encode(JSON.stringify(o)));
    const input = `${text({ alg: 'HS256' })}.${text({ nbf: 1000, exp: 2000 })}`;
    const signed = `${input}.${b64(hmac(sha256, new TextEncoder().encode('k'), new TextEncoder().encode(input)))}`;
    const at = (seconds: number) =>
      (call('io.jwt.decode_verify', signed, { secret: 'k', time: seconds * 1e9 }) as [boolean])[0];
    expect([at(999), at(1000), at(1999), at(2000)]).toEqual([false, true, true, false]);
    expect((call('io.jwt.decode_verify', signed, { secret: 'k' }) as [boolean])[0]).toBe(false);
  });

  it('rejects malformed tokens', () => {
    expect(callError('io.jwt.decode', 'abc')).toBe(
      'io.jwt.decode: encoded JWT had no period separators',
    );
    expect(callError('io.jwt.decode', 'e30.!!.e30')).toMatch(/invalid encoding/);
  });
});
