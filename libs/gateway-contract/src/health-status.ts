/** The body of `GET /health` (liveness): the process is up. */
import type { Static } from '@sinclair/typebox';
import * as Type from '@sinclair/typebox/type';
import { StringEnum } from './string-enum.js';

export const HealthStatusSchema = Type.Object({ status: StringEnum(['ok']) });

export type HealthStatus = Static<typeof HealthStatusSchema>;
