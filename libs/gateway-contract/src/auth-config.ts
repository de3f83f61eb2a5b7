/**
 * The body of `GET /auth/config` (open): whether the gateway asks for credentials, and where a
 * browser signs in with OIDC (authorization code with PKCE) when an issuer is configured, so
 * that the Workbench knows which sign-in to offer before anyone has signed in.
 */
import type { Static } from '@sinclair/typebox';
import * as Type from '@sinclair/typebox/type';
import { NullableString } from './nullable-string.js';
import { StringEnum } from './string-enum.js';

export const AUTH_STATES = Object.freeze(['on', 'off'] as const);

export const OidcSignInSchema = Type.Object({
  issuer: Type.String({ description: "The identity provider's issuer URL." }),
  client_id: Type.String({ description: 'The OAuth client id the Workbench signs in as.' }),
  audience: NullableString({
    description:
      "The gateway's identifier at the provider (`aud` of its tokens), to ask for as the `resource` (RFC 8707) or `audience` of the access token.",
  }),
  scopes: Type.Array(Type.String(), { description: 'The scopes to ask for, e.g. `openid`.' }),
});

export const AuthConfigSchema = Type.Object({
  auth: StringEnum(AUTH_STATES, {
    description: '`on`: routes need an API key or token; `off`: nobody is asked who they are.',
  }),
  oidc: Type.Union([OidcSignInSchema, Type.Null()], {
    description: 'How to sign in with OIDC; null when no issuer is configured.',
  }),
});

export type AuthConfig = Static<typeof AuthConfigSchema>;
export type OidcSignIn = Static<typeof OidcSignInSchema>;
