/**
 * The canonical form of a user id, in which the blocked-user list is compared: trimmed of
 * Unicode white space, format characters (Cf) removed, NFKC, case-folded, every dash (Pd)
 * written `-` and every decimal digit (Nd) in ASCII. `Blocked-User `, `blocked‐user` (U+2010)
 * and `blocked-user` are then one id.
 */
import { digitValue } from './prompt-folding.js';

const EDGE_WHITE_SPACE = /^\p{White_Space}+|\p{White_Space}+$/gu;
const CF = /\p{Cf}/gu;
const PD = /\p{Pd}/gu;
const ND = /\p{Nd}/gu;

/**
 * @example
 * canonicalUserId(' Blocked\u2010User\u200B'); // 'blocked-user'
 */
export function canonicalUserId(userId: string): string {
  return userId
    .replace(CF, '')
    .normalize('NFKC')
    .replace(EDGE_WHITE_SPACE, '')
    .toUpperCase()
    .toLowerCase()
    .replace(PD, '-')
    .replace(ND, (digit) => (digit >= '0' && digit <= '9' ? digit : String(digitValue(digit))));
}
