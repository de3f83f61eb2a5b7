/**
 * The disguises the evaluation applies to each malicious prompt, written for this project:
 * what an attacker does to a phrase or a number so that a pattern over the plain text misses
 * it, while a person (or a model) still reads it the same. Each applies to the kinds of prompt
 * it keeps meaningful: look-alike letters change what a key or an address is, so they are
 * tried on phrases only.
 */

export type PromptKind = 'phrase' | 'number' | 'secret' | 'email';

export interface Disguise {
  readonly name: string;
  readonly kinds: readonly PromptKind[];
  apply(prompt: string): string;
}

const ZWSP = '\u200B';
const CYRILLIC: Readonly<Record<string, string>> = {
  a: 'а',
  e: 'е',
  o: 'о',
  p: 'р',
  c: 'с',
  x: 'х',
  y: 'у',
  i: 'і',
  A: 'А',
  E: 'Е',
  O: 'О',
  P: 'Р',
  C: 'С',
  X: 'Х',
  T: 'Т',
  H: 'Н',
};

/** Every word of four letters or more, with `insert` after its second letter. */
function insideWords(prompt: string, insert: string): string {
  return prompt.replace(/\b([A-Za-z]{2})([A-Za-z]{2,})/g, `$1${insert}$2`);
}

function fullWidth(prompt: string): string {
  return prompt.replace(/[!-~]/g, (c) => String.fromCodePoint(c.charCodeAt(0) + 0xfee0));
}

function digitsOf(zero: number): (prompt: string) => string {
  return (prompt) => prompt.replace(/[0-9]/g, (d) => String.fromCodePoint(zero + Number(d)));
}

export const DISGUISES: readonly Disguise[] = [
  {
    name: 'zero-width space inside words',
    kinds: ['phrase', 'secret', 'email'],
    apply: (p) => insideWords(p, ZWSP),
  },
  {
    name: 'soft hyphen inside words',
    kinds: ['phrase', 'secret'],
    apply: (p) => insideWords(p, '\u00AD'),
  },
  {
    name: 'no-break spaces',
    kinds: ['phrase', 'number'],
    apply: (p) => p.replaceAll(' ', '\u00A0'),
  },
  { name: 'ideographic spaces', kinds: ['phrase'], apply: (p) => p.replaceAll(' ', '\u3000') },
  {
    name: 'line breaks and runs of spaces',
    kinds: ['phrase', 'number'],
    apply: (p) => p.replace(/ /g, (_, at: number) => (at % 3 === 0 ? '\n' : '   ')),
  },
  {
    name: 'Cyrillic look-alike letters',
    kinds: ['phrase'],
    apply: (p) => p.replace(/[aeopcxyiAEOPCXTH]/g, (c) => CYRILLIC[c] ?? c),
  },
  { name: 'full-width forms', kinds: ['phrase', 'number', 'secret', 'email'], apply: fullWidth },
  {
    name: 'combining accents',
    kinds: ['phrase'],
    apply: (p) => p.replace(/[aeiou]/g, (v) => `${v}\u0301`),
  },
  {
    name: 'mathematical bold letters',
    kinds: ['phrase'],
    apply: (p) =>
      p.replace(/[A-Za-z]/g, (c) =>
        String.fromCodePoint(
          c <= 'Z' ? 0x1d400 + c.charCodeAt(0) - 65 : 0x1d41a + c.charCodeAt(0) - 97,
        ),
      ),
  },
  {
    name: 'alternating case',
    kinds: ['phrase'],
    apply: (p) => p.replace(/[a-z]/g, (c, at: number) => (at % 2 ? c.toUpperCase() : c)),
  },
  { name: 'Arabic-Indic digits', kinds: ['number'], apply: digitsOf(0x0660) },
  { name: 'Devanagari digits', kinds: ['number'], apply: digitsOf(0x0966) },
  {
    name: 'zero-width joiners between digits',
    kinds: ['number'],
    apply: (p) => p.replace(/([0-9])(?=[0-9])/g, `$1\u200D`),
  },
  { name: 'spaces around the @', kinds: ['email'], apply: (p) => p.replace(/@/g, ' @ ') },
];
