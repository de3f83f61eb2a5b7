/**
 * The canonical form of a user id, in which the blocked-user list is compared: trimmed of
 * Unicode white space, format characters (Cf) removed, NFKC, case-folded, every dash (Pd)
 * written `-` and every decimal digit (Nd) in ASCII. `Blocked-User `, `blocked‐user` (U+2010)
 * and `blocked-user` are then one id. An id that mixes ASCII letters or digits with other
 * characters has those written as the ASCII they look like (`blocked-usеr` with a Cyrillic
 * `е`, `ｂlocked`); an id wholly in another script (`иван`) is left in it, since it imitates
 * no ASCII id and mapping it would report every such user as disguised.
 */
import { asciiLookalikes } from './confusables-skeleton.js';
import { digitValue } from './prompt-folding.js';

const EDGE_WHITE_SPACE = /^\p{White_Space}+|\p{White_Space}+$/gu;
const CF = /\p{Cf}/gu;
const PD = /\p{Pd}/gu;
const ND = /\p{Nd}/gu;
const NON_ASCII = /\P{ASCII}/u;
const ASCII_ALNUM = /[a-z0-9]/;

/**
 * @example
 * canonicalUserId(' Blocked\u2010User\u200B'); // 'blocked-user'
 */
export function canonicalUserId(userId: string): string {
  const canonical = userId
    .replace(CF, '')
    .normalize('NFKC')
    .replace(EDGE_WHITE_SPACE, '')
    .toUpperCase()
    .toLowerCase()
    .replace(PD, '-')
    .replace(ND, (digit) => (digit >= '0' && digit <= '9' ? digit : String(digitValue(digit))));
  return NON_ASCII.test(canonical) && ASCII_ALNUM.test(canonical)
    ? asciiLookalikes(canonical)
    : canonical;
}
