import { describe, expect, it } from 'vitest';
import { call, callError } from './builtin-harness.js';

describe('uri.parse', () => {
  it('answers the parts a URL has, all strings, as Go parses them', () => {
    expect(call('uri.parse', 'https://user:pw@www.example.com:8443/a%20b/c?x=1&y=2#top')).toEqual({
      scheme: 'https',
      hostname: 'www.example.com',
      port: '8443',
      path: '/a b/c',
      raw_path: '/a b/c',
      raw_query: 'x=1&y=2',
      fragment: 'top',
    });
    expect(call('uri.parse', 'https://example.com/a%2Fb')).toMatchObject({
      path: '/a/b',
      raw_path: '/a%2Fb',
    });
    expect(call('uri.parse', 'http://[::1]:80/')).toMatchObject({ hostname: '::1', port: '80' });
  });

  it('reads opaque URIs and relative references, which the WHATWG parser would not', () => {
    expect(call('uri.parse', 'mailto:user@example.com?subject=hi')).toEqual({
      scheme: 'mailto',
      raw_query: 'subject=hi',
    });
    expect(call('uri.parse', '/relative/path?q')).toEqual({
      path: '/relative/path',
      raw_path: '/relative/path',
      raw_query: 'q',
    });
  });

  it("fails with Go's message on what Go rejects", () => {
    expect(callError('uri.parse', 'https://www.example.com:3a9')).toBe(
      'uri.parse: parse "https://www.example.com:3a9": invalid port ":3a9" after host',
    );
    expect(callError('uri.parse', '%zz')).toBe('uri.parse: parse "%zz": invalid URL escape "%zz"');
    expect(callError('uri.parse', 'a:b/c:d'.slice(1))).toBe(
      'uri.parse: parse ":b/c:d": missing protocol scheme',
    );
  });
});

describe('uri.is_valid', () => {
  it('is true for what parses, false for the empty string and what does not', () => {
    expect(call('uri.is_valid', 'https://example.com')).toBe(true);
    expect(call('uri.is_valid', 'relative/path')).toBe(true);
    expect(call('uri.is_valid', '')).toBe(false);
    expect(call('uri.is_valid', 'http://x:port')).toBe(false);
    expect(call('uri.is_valid', 'a\nb')).toBe(false);
    expect(call('uri.is_valid', 'first:segment')).toBe(true);
    expect(call('uri.is_valid', '1first:segment')).toBe(false);
  });
});
