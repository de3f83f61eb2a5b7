import { describe, expect, it } from 'vitest';
import { call, callError, callValue, NOW_NS, testContext } from './builtin-harness.js';

const NS = 1_703_444_325_734_390_000n;

describe('time builtins', () => {
  it('reads the clock from the query context, so it is stable within a query', () => {
    expect(callValue('time.now_ns', [], testContext())).toEqual({ kind: 'number', value: NOW_NS });
  });

  it('parses RFC 3339 with fractions and offsets to exact nanoseconds', () => {
    expect(call('time.parse_rfc3339_ns', '1985-04-12T23:20:50.52Z')).toBe(482196050520000000n);
    expect(call('time.parse_rfc3339_ns', '1996-12-19T16:39:57-08:00')).toBe(851042397000000000n);
    expect(callError('time.parse_rfc3339_ns', '1996-12-19')).toMatch(
      /^time.parse_rfc3339_ns: parsing time/,
    );
  });

  it('parses with Go layouts, including named ones', () => {
    expect(call('time.parse_ns', '2006-01-02T15:04:05', '2016-05-10T19:06:42')).toBe(
      1462907202000000000n,
    );
    expect(
      call('time.parse_ns', 'Jan 2, 2006 at 3:04pm (MST)', 'Feb 3, 2013 at 7:54pm (PST)'),
    ).toBe(1359921240000000000n);
    expect(call('time.parse_ns', 'RFC822Z', '02 Jan 06 15:04 -0700')).toBe(1136239440000000000n);
    expect(callError('time.parse_ns', '2006-01-02', '2021-02-29')).toMatch(/day out of range/);
  });

  it('formats with RFC3339Nano by default and with Go layouts and zones', () => {
    expect(call('time.format', NS)).toBe('2023-12-24T18:58:45.73439Z');
    expect(call('time.format', [1257894000000000000n, '', '02/01/2006 15:04'])).toBe(
      '10/11/2009 23:00',
    );
    expect(call('time.format', [NS, 'Europe/Paris', '2006-01-02T15:04:05Z07:00 Mon Jan'])).toBe(
      '2023-12-24T19:58:45+01:00 Sun Dec',
    );
    expect(call('time.format', [NS, 'UTC', '3:04PM .000'])).toBe('6:58PM .734');
  });

  it('formats and parses back to the same nanosecond', () => {
    const text = call('time.format', [NS, 'UTC', '2006-01-02T15:04:05.999999999']) as string;
    expect(call('time.parse_ns', '2006-01-02T15:04:05.999999999', text)).toBe(NS);
  });

  it('splits instants into date, clock and weekday in a zone', () => {
    expect(call('time.date', NS)).toEqual([2023, 12, 24]);
    expect(call('time.clock', NS)).toEqual([18, 58, 45]);
    expect(call('time.clock', [NS, 'CET'])).toEqual([19, 58, 45]);
    expect(call('time.clock', [NS, 'America/New_York'])).toEqual([13, 58, 45]);
    expect(call('time.weekday', 1257894000000000000n)).toBe('Tuesday');
    expect(callError('time.clock', [NS, 'Mars/Olympus'])).toBe(
      'time.clock: unknown time zone Mars/Olympus',
    );
  });

  it('adds calendar amounts, normalising overflow as Go does', () => {
    expect(call('time.add_date', NS, 1, 0, 0)).toBe(1735066725734390000n);
    expect(call('time.add_date', NS, 0, 0, 31)).toBe(1706122725734390000n);
    expect(call('time.add_date', NS, -213, -6, -5)).toBe(-5034459674265610000n);
    expect(callError('time.add_date', NS, 2147483647, 0, 0)).toBe(
      'time.add_date: time outside of valid range',
    );
  });

  it('adds dates in a zone keeping the wall clock across daylight saving', () => {
    // 2023-03-25T12:00:00+01:00 in Paris; a day later the clocks have moved to +02:00.
    const noon = 1679742000000000000n;
    const next = call('time.add_date', [noon, 'Europe/Paris'], 0, 0, 1) as bigint;
    expect(call('time.clock', [next, 'Europe/Paris'])).toEqual([12, 0, 0]);
    expect(next - noon).toBe(23n * 3600n * 1_000_000_000n);
  });

  it('rejects timestamps that are not int64 nanoseconds', () => {
    expect(callError('time.date', 1.5)).toBe('time.date: timestamp too big');
    expect(callError('time.date', 2n ** 64n)).toBe('time.date: timestamp too big');
  });

  it('computes calendar differences in either order', () => {
    expect(call('time.diff', NS, 1257894000000000000n)).toEqual([14, 1, 13, 19, 58, 45]);
    expect(call('time.diff', 1257894000000000000n, NS)).toEqual([14, 1, 13, 19, 58, 45]);
  });

  it('parses Go durations exactly', () => {
    expect(call('time.parse_duration_ns', '1h6m13.3s20ms15µs1ns')).toBe(3973320015001);
    expect(call('time.parse_duration_ns', '-1.5h')).toBe(-5400000000000);
    expect(call('time.parse_duration_ns', '0')).toBe(0);
    expect(callError('time.parse_duration_ns', '5 days')).toMatch(/invalid duration/);
  });
});
