/**
 * The body of `GET /auth/me`: who the gateway takes the caller to be, and the roles it holds,
 * so that a client shows who is signed in and offers only what the roles allow.
 */
import type { Static } from '@sinclair/typebox';
import * as Type from '@sinclair/typebox/type';
import { NullableString } from './nullable-string.js';
import { StringEnum } from './string-enum.js';

/**
 * `evaluator` asks for decisions, `auditor` reads the audit trail and its access log, `admin`
 * manages API keys and erases subjects, `privacy-officer` reads the sealed originals of
 * masked entries (giving a reason each time). A role does not include another.
 */
export const PRINCIPAL_ROLES = Object.freeze([
  'evaluator',
  'auditor',
  'admin',
  'privacy-officer',
] as const);

/** `anonymous` is every caller when authentication is off. */
export const PRINCIPAL_KINDS = Object.freeze(['api_key', 'oidc', 'anonymous'] as const);

export const AuthPrincipalSchema = Type.Object({
  id: Type.String({
    description:
      'As recorded in audit entries (`principal`): `key:<id>`, `oidc:<subject>@<issuer>` or `anonymous`.',
  }),
  kind: StringEnum(PRINCIPAL_KINDS),
  name: NullableString({ description: "A label for people: the key's name, the token's name." }),
  subject: NullableString({
    description: "The token's subject, recorded as `user_id` of its evaluations; null for keys.",
  }),
  roles: Type.Array(StringEnum(PRINCIPAL_ROLES)),
});

export type AuthPrincipal = Static<typeof AuthPrincipalSchema>;
export type PrincipalRole = (typeof PRINCIPAL_ROLES)[number];
