/** One page of `GET /governance/audit`: entries newest first and the cursor of the next page. */
import type { Static } from '@sinclair/typebox';
import * as Type from '@sinclair/typebox/type';
import { AuditEntrySchema } from './audit-entry.js';
import { NullableString } from './nullable-string.js';

export const AuditPageSchema = Type.Object({
  entries: Type.Array(AuditEntrySchema),
  next_cursor: NullableString({
    description: 'Pass as `cursor` for the next page; null on the last page.',
  }),
});

export type AuditPage = Static<typeof AuditPageSchema>;
