/**
 * Go's reference-time layouts (`2006-01-02T15:04:05Z07:00`) for `time.format` and
 * `time.parse_ns`: a tokenizer following Go's `nextStdChunk`, a formatter and a parser.
 */
import { type CivilTime, nsFromFields, zoneName } from './civil-time.js';

type Token =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'std'; readonly std: string }
  | {
      readonly kind: 'frac';
      readonly digits: number;
      readonly trim: boolean;
      readonly separator: string;
    };

const LONG_MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const LONG_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

export const WEEKDAY_NAMES: readonly string[] = LONG_DAYS;

/** Standard elements, longest first where they share a prefix. */
const STD = [
  'January',
  'Jan',
  'Monday',
  'Mon',
  'MST',
  '2006',
  '002',
  '01',
  '02',
  '03',
  '04',
  '05',
  '06',
  '__2',
  '_2',
  '15',
  'Z07:00:00',
  'Z070000',
  'Z07:00',
  'Z0700',
  'Z07',
  '-07:00:00',
  '-070000',
  '-07:00',
  '-0700',
  '-07',
  'PM',
  'pm',
  '1',
  '2',
  '3',
  '4',
  '5',
];

const tokenCache = new Map<string, Token[]>();

export function tokenize(layout: string): Token[] {
  const cached = tokenCache.get(layout);
  if (cached) return cached;
  const tokens: Token[] = [];
  let literal = '';
  let i = 0;
  outer: while (i < layout.length) {
    const c = layout[i] as string;
    if ((c === '.' || c === ',') && (layout[i + 1] === '0' || layout[i + 1] === '9')) {
      const digit = layout[i + 1] as string;
      let j = i + 1;
      while (layout[j] === digit) j++;
      if (!/[0-9]/.test(layout[j] ?? '')) {
        if (literal) tokens.push({ kind: 'literal', text: literal });
        literal = '';
        tokens.push({ kind: 'frac', digits: j - i - 1, trim: digit === '9', separator: c });
        i = j;
        continue;
      }
    }
    for (const std of STD) {
      if (layout.startsWith(std, i)) {
        // Go treats "Jan"/"Mon" only as elements when not followed by a lowercase letter.
        if ((std === 'Jan' || std === 'Mon') && /[a-z]/.test(layout[i + std.length] ?? '')) break;
        if (literal) tokens.push({ kind: 'literal', text: literal });
        literal = '';
        tokens.push({ kind: 'std', std });
        i += std.length;
        continue outer;
      }
    }
    literal += c;
    i++;
  }
  if (literal) tokens.push({ kind: 'literal', text: literal });
  tokenCache.set(layout, tokens);
  return tokens;
}

function pad(n: number, width: number): string {
  const s = String(Math.abs(n)).padStart(width, '0');
  return n < 0 ? `-${s}` : s;
}

function formatOffset(offset: number, std: string): string {
  if (std.startsWith('Z') && offset === 0) return 'Z';
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const h = pad(Math.floor(abs / 3600), 2);
  const m = pad(Math.floor((abs % 3600) / 60), 2);
  const s = pad(abs % 60, 2);
  const body = std.replace(/^[Z-]/, '');
  switch (body) {
    case '07:00:00':
      return `${sign}${h}:${m}:${s}`;
    case '070000':
      return `${sign}${h}${m}${s}`;
    case '07:00':
      return `${sign}${h}:${m}`;
    case '0700':
      return `${sign}${h}${m}`;
    default:
      return `${sign}${h}`;
  }
}

function formatStd(std: string, t: CivilTime): string {
  const hour12 = t.hour % 12 === 0 ? 12 : t.hour % 12;
  switch (std) {
    case 'January':
      return LONG_MONTHS[t.month - 1] as string;
    case 'Jan':
      return (LONG_MONTHS[t.month - 1] as string).slice(0, 3);
    case 'Monday':
      return LONG_DAYS[t.weekday] as string;
    case 'Mon':
      return (LONG_DAYS[t.weekday] as string).slice(0, 3);
    case 'MST':
      return zoneName(t);
    case '2006':
      return pad(t.year, 4);
    case '06':
      return pad(t.year % 100, 2);
    case '002':
      return pad(t.yearDay, 3);
    case '__2':
      return String(t.yearDay).padStart(3, ' ');
    case '01':
      return pad(t.month, 2);
    case '1':
      return String(t.month);
    case '02':
      return pad(t.day, 2);
    case '_2':
      return String(t.day).padStart(2, ' ');
    case '2':
      return String(t.day);
    case '15':
      return pad(t.hour, 2);
    case '03':
      return pad(hour12, 2);
    case '3':
      return String(hour12);
    case '04':
      return pad(t.minute, 2);
    case '4':
      return String(t.minute);
    case '05':
      return pad(t.second, 2);
    case '5':
      return String(t.second);
    case 'PM':
      return t.hour >= 12 ? 'PM' : 'AM';
    case 'pm':
      return t.hour >= 12 ? 'pm' : 'am';
    default:
      return formatOffset(t.offsetSeconds, std);
  }
}

export function formatTime(layout: string, t: CivilTime): string {
  let out = '';
  for (const token of tokenize(layout)) {
    if (token.kind === 'literal') out += token.text;
    else if (token.kind === 'std') out += formatStd(token.std, t);
    else {
      let digits = String(t.nanosecond).padStart(9, '0').slice(0, token.digits);
      if (token.trim) digits = digits.replace(/0+$/, '');
      if (digits !== '') out += token.separator + digits;
    }
  }
  return out;
}

class LayoutMismatch extends Error {}

function mismatch(message: string): never {
  throw new LayoutMismatch(message);
}

/** Parses `value` with a Go layout; returns nanoseconds since the epoch. Throws Error with Go-like text. */
export function parseTime(layout: string, value: string): bigint {
  let year = 1;
  let month = 1;
  let day = 1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let nanosecond = 0;
  let offset = 0;
  let pm: boolean | undefined;
  let yearDay: number | undefined;
  let rest = value;

  const number = (min: number, max: number, fixed: boolean, what: string): number => {
    const m = (fixed ? new RegExp(`^\\d{${max}}`) : new RegExp(`^\\d{${min},${max}}`)).exec(rest);
    if (!m) mismatch(`cannot parse ${JSON.stringify(rest)} as ${JSON.stringify(what)}`);
    rest = rest.slice(m[0].length);
    return Number(m[0]);
  };
  const word = (options: readonly string[], what: string): number => {
    const lower = rest.toLowerCase();
    const index = options.findIndex((o) => lower.startsWith(o.toLowerCase()));
    if (index < 0) mismatch(`cannot parse ${JSON.stringify(rest)} as ${JSON.stringify(what)}`);
    rest = rest.slice((options[index] as string).length);
    return index;
  };
  const fraction = (digits?: number) => {
    const m = /^[.,](\d+)/.exec(rest);
    if (!m || (digits !== undefined && (m[1] as string).length !== digits)) return false;
    nanosecond = Number(((m[1] as string) + '000000000').slice(0, 9));
    rest = rest.slice(m[0].length);
    return true;
  };

  const tokens = tokenize(layout);
  for (const [i, token] of tokens.entries()) {
    if (token.kind === 'literal') {
      if (!rest.startsWith(token.text))
        mismatch(`cannot parse ${JSON.stringify(rest)} as ${JSON.stringify(token.text)}`);
      rest = rest.slice(token.text.length);
      continue;
    }
    if (token.kind === 'frac') {
      if (token.trim) fraction();
      else if (!fraction(token.digits))
        mismatch(`cannot parse ${JSON.stringify(rest)} as fractional seconds`);
      continue;
    }
    switch (token.std) {
      case 'January':
        month = word(LONG_MONTHS, 'January') + 1;
        break;
      case 'Jan':
        month =
          word(
            LONG_MONTHS.map((m) => m.slice(0, 3)),
            'Jan',
          ) + 1;
        break;
      case 'Monday':
        word(LONG_DAYS, 'Monday');
        break;
      case 'Mon':
        word(
          LONG_DAYS.map((d) => d.slice(0, 3)),
          'Mon',
        );
        break;
      case 'MST': {
        const m = /^(?:UTC|GMT|[A-Z]{3,5})/.exec(rest);
        if (!m) mismatch(`cannot parse ${JSON.stringify(rest)} as "MST"`);
        rest = rest.slice(m[0].length);
        break;
      }
      case '2006':
        year = number(4, 4, true, '2006');
        break;
      case '06': {
        const yy = number(2, 2, true, '06');
        year = yy >= 69 ? 1900 + yy : 2000 + yy;
        break;
      }
      case '002':
        yearDay = number(3, 3, true, '002');
        break;
      case '__2':
        rest = rest.replace(/^ {1,2}/, '');
        yearDay = number(1, 3, false, '__2');
        break;
      case '01':
        month = number(2, 2, true, '01');
        break;
      case '1':
        month = number(1, 2, false, '1');
        break;
      case '02':
        day = number(2, 2, true, '02');
        break;
      case '_2':
        rest = rest.replace(/^ /, '');
        day = number(1, 2, false, '_2');
        break;
      case '2':
        day = number(1, 2, false, '2');
        break;
      case '15':
        hour = number(1, 2, false, '15');
        break;
      case '03':
        hour = number(2, 2, true, '03');
        break;
      case '3':
        hour = number(1, 2, false, '3');
        break;
      case '04':
        minute = number(2, 2, true, '04');
        break;
      case '4':
        minute = number(1, 2, false, '4');
        break;
      case '05':
      case '5': {
        second = token.std === '05' ? number(2, 2, true, '05') : number(1, 2, false, '5');
        // Go accepts a fractional second after the seconds even when the layout has none.
        const next = tokens[i + 1];
        if (next?.kind !== 'frac') fraction();
        break;
      }
      case 'PM':
      case 'pm':
        pm = word(['AM', 'PM'], token.std) === 1;
        break;
      default: {
        if (token.std.startsWith('Z') && /^Z/.test(rest)) {
          rest = rest.slice(1);
          offset = 0;
          break;
        }
        const m = /^([+-])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?/.exec(rest);
        if (!m) mismatch(`cannot parse ${JSON.stringify(rest)} as ${JSON.stringify(token.std)}`);
        rest = rest.slice(m[0].length);
        const total = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
        offset = m[1] === '-' ? -total : total;
      }
    }
  }
  if (rest !== '') mismatch(`extra text: ${JSON.stringify(rest)}`);
  if (pm !== undefined) {
    if (hour > 12) mismatch('hour out of range');
    if (pm && hour < 12) hour += 12;
    if (!pm && hour === 12) hour = 0;
  }
  if (month < 1 || month > 12) mismatch('month out of range');
  if (hour > 23 || minute > 59 || second > 59) mismatch('time out of range');
  if (yearDay !== undefined) {
    month = 1;
    day = yearDay;
  } else {
    const daysInMonth = new Date(Date.UTC(2000, month, 0)).getUTCDate();
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    if (day < 1 || day > (month === 2 ? (leap ? 29 : 28) : daysInMonth))
      mismatch('day out of range');
  }
  return nsFromFields(year, month, day, hour, minute, second, nanosecond, offset);
}
