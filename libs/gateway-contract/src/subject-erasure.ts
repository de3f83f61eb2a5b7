/**
 * The bodies of `POST /admin/subjects/{user_id}/erasure` (admin role): the reason, and what the
 * erasure did: the subject's data key destroyed (`erased`, with how many sealed originals it
 * shut), or no key to destroy (`nothing_to_erase`: erased before, named in `previous`, or never
 * sealed). Either way the erasure is recorded.
 */
import type { Static } from '@sinclair/typebox';
import * as Type from '@sinclair/typebox/type';
import { PrivacyReasonSchema } from './sealed-original-read.js';
import { StringEnum } from './string-enum.js';

export const SubjectParamsSchema = Type.Object(
  { user_id: Type.String({ minLength: 1, maxLength: 256, description: 'The subject to erase.' }) },
  { additionalProperties: false },
);

export const SubjectErasureRequestSchema = Type.Object(
  { reason: PrivacyReasonSchema },
  { additionalProperties: false },
);

export type SubjectErasureRequest = Static<typeof SubjectErasureRequestSchema>;

export const SubjectErasureSchema = Type.Object({
  status: StringEnum(['erased', 'nothing_to_erase'] as const),
  erasure_id: Type.String({ format: 'uuid' }),
  erased_at: Type.String({ format: 'date-time' }),
  erased_by: Type.String({ description: 'The principal that erased.' }),
  entries_affected: Type.Integer({
    minimum: 0,
    description: 'Sealed originals made unreadable by this erasure.',
  }),
  previous: Type.Union(
    [
      Type.Object({
        erased_at: Type.String({ format: 'date-time' }),
        erased_by: Type.String(),
      }),
      Type.Null(),
    ],
    { description: 'The earlier erasure of this subject, when it was erased before.' },
  ),
});

export type SubjectErasure = Static<typeof SubjectErasureSchema>;
