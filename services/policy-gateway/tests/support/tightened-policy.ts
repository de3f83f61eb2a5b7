/** A candidate bundle's one module for replay tests: it tightens one rule. */

/** Denies any prompt that says "forbidden", allows the rest. */
export const TIGHTENED_POLICY = `package policy_gateway

forbidden := {"code": "candidate.forbidden", "message": "the candidate forbids this word", "severity": "high"}

decision := {"allow": false, "reasons": [forbidden]} if contains(input.prompt, "forbidden")

decision := {"allow": true, "reasons": []} if not contains(input.prompt, "forbidden")
`;
