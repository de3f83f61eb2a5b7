/** What a literal's quick form answers (`body-plan.ts`): numbers, so that a slot it bound fits too. */

/** The literal held and bound nothing. */
export const QUICK_HELD = -1;
/** The literal failed: the body has no solution from here. */
export const QUICK_FAILED = -2;
/** The literal cannot be evaluated directly now (a slot it reads is unbound): take the general path. */
export const NOT_QUICK = -3;
