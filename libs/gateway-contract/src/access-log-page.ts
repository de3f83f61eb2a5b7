/** One page of `GET /governance/access-log`: records newest first and the cursor of the next page. */
import type { Static } from '@sinclair/typebox';
import * as Type from '@sinclair/typebox/type';
import { AccessLogRecordSchema } from './access-log-record.js';
import { NullableString } from './nullable-string.js';

export const AccessLogPageSchema = Type.Object({
  records: Type.Array(AccessLogRecordSchema),
  next_cursor: NullableString({
    description: 'Pass as `cursor` for the next page; null on the last page.',
  }),
});

export type AccessLogPage = Static<typeof AccessLogPageSchema>;
