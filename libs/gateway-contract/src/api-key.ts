/**
 * The bodies of the admin key routes (`/admin/keys`): a key as listed (never its secret or
 * hash), the request that makes one, and the answer that carries the new key's text — the
 * only answer that ever does.
 */
import type { Static } from '@sinclair/typebox';
import * as Type from '@sinclair/typebox/type';
import { PRINCIPAL_ROLES } from './auth-principal.js';
import { NullableString } from './nullable-string.js';
import { StringEnum } from './string-enum.js';

const KEY_ID = {
  pattern: '^[0-9A-Za-z]{12}$',
  description: 'The key id, `<id>` of `pgw_<id>_<secret>`.',
};

export const ApiKeyIdParamsSchema = Type.Object(
  { id: Type.String(KEY_ID) },
  { additionalProperties: false },
);

export const ApiKeySchema = Type.Object({
  id: Type.String(KEY_ID),
  role: StringEnum(PRINCIPAL_ROLES),
  name: NullableString(),
  created_at: Type.String({ format: 'date-time' }),
  created_by: NullableString({
    description: 'The principal that made it; null when made by the CLI.',
  }),
  expires_at: NullableString({ format: 'date-time' }),
  revoked_at: NullableString({ format: 'date-time' }),
  last_used_at: NullableString({ format: 'date-time', description: 'To within a minute.' }),
});

export const ApiKeyListSchema = Type.Object({
  keys: Type.Array(ApiKeySchema, { description: 'Newest first.' }),
});

export const CreateApiKeyRequestSchema = Type.Object(
  {
    role: StringEnum(PRINCIPAL_ROLES),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    expires: Type.Optional(
      Type.String({
        maxLength: 64,
        description:
          'A duration (`90d`, `12h`, `30m`) or an RFC 3339 date or date-time; none when omitted.',
      }),
    ),
  },
  { additionalProperties: false },
);

export const CreatedApiKeySchema = Type.Object({
  ...ApiKeySchema.properties,
  key: Type.String({ description: 'The key itself, `pgw_<id>_<secret>`: shown this once.' }),
});

export type ApiKeyJson = Static<typeof ApiKeySchema>;
export type ApiKeyList = Static<typeof ApiKeyListSchema>;
export type CreateApiKeyRequest = Static<typeof CreateApiKeyRequestSchema>;
export type CreatedApiKey = Static<typeof CreatedApiKeySchema>;
