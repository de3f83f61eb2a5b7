/**
 * The bodies of `POST /governance/audit/{id}/original` (privacy-officer role): the reason the
 * reader gives, recorded in the access log with the read, and the unmasked input it opens.
 */
import type { Static } from '@sinclair/typebox';
import * as Type from '@sinclair/typebox/type';

/** The bound of a reason, the same for reading an original and for erasing a subject. */
export const PRIVACY_REASON_MAX_LENGTH = 1000;

export const PrivacyReasonSchema = Type.String({
  minLength: 1,
  maxLength: PRIVACY_REASON_MAX_LENGTH,
  pattern: '\\S',
  description: 'Why, for the record (a ticket, a request of the data subject): kept as written.',
});

export const ReadOriginalRequestSchema = Type.Object(
  { reason: PrivacyReasonSchema },
  { additionalProperties: false },
);

export type ReadOriginalRequest = Static<typeof ReadOriginalRequestSchema>;

export const OpenedOriginalSchema = Type.Object({
  id: Type.String({ format: 'uuid', description: 'The audit entry whose original this is.' }),
  user_id: Type.String({ description: 'The subject whose data key opened it.' }),
  key_id: Type.String({ description: "Which of the subject's data keys sealed it." }),
  input: Type.Unknown({ description: 'The input as evaluated, before any masking.' }),
});

export type OpenedOriginal = Static<typeof OpenedOriginalSchema>;
