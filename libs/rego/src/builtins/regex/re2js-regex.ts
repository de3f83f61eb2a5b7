/**
 * A pattern on re2js, RE2 in pure JavaScript: linear-time for every pattern and subject.
 * Finding matches with their bounds runs re2js' NFA, far slower than its DFA, which answers
 * whether there is any match: so the DFA goes first, and a subject without a match costs
 * only that.
 */
import type { RE2JS } from 're2js';
import type { CompiledRegex } from './compiled-regex.js';

/** The loosely typed, Go-style API of re2js' RE2 class that is used here. */
interface Re2GoApi {
  findAllIndex(s: string, n: number): number[][] | null;
  findAllSubmatchIndex(s: string, n: number): number[][] | null;
}

export class Re2jsRegex implements CompiledRegex {
  readonly engine = 're2js';
  readonly search = undefined;
  private readonly go: Re2GoApi;
  readonly names: Readonly<Record<string, number>>;
  constructor(private readonly pattern: RE2JS) {
    this.go = pattern.re2() as unknown as Re2GoApi;
    this.names = pattern.namedGroups();
  }
  test(s: string): boolean {
    return this.pattern.test(s);
  }
  findAll(s: string, n: number, groups: boolean): number[][] {
    if (n === 0 || !this.pattern.test(s)) return [];
    return (groups ? this.go.findAllSubmatchIndex(s, n) : this.go.findAllIndex(s, n)) ?? [];
  }
  engineFor(): 're2js' {
    return 're2js';
  }
}
