/** The body of `GET /health` (liveness): the process is up. */
import { type Static, Type } from '@sinclair/typebox';
import { StringEnum } from './string-enum.js';

export const HealthStatusSchema = Type.Object({ status: StringEnum(['ok']) });

export type HealthStatus = Static<typeof HealthStatusSchema>;
