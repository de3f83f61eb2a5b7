/**
 * Who may call each API area: the one declaration the authentication guard enforces
 * (`api/authentication.ts`). Typed over every `ApiArea`, so an area cannot be added without
 * saying who may call it. A route may declare its own access in its route `config` (`{
 * config: { access: 'open' } }`) where it differs from its area's, as `GET /auth/config` does.
 */
import type { Role } from '../auth/principal.js';
import type { ApiArea } from './routes.js';

/**
 * `open`: anyone, credentials optional (read when sent, never refused); `authenticated`: any
 * valid credential; a role: a valid credential holding that role. Roles do not include one
 * another: an admin manages keys but reads no prompts unless also granted `auditor`.
 */
export type Access = 'open' | 'authenticated' | Role;

export const AREA_ACCESS: Readonly<Record<ApiArea, Access>> = Object.freeze({
  evaluation: 'evaluator',
  opa: 'evaluator',
  audit: 'auditor',
  auth: 'authenticated',
  admin: 'admin',
  service: 'open',
});

declare module 'fastify' {
  interface FastifyContextConfig {
    /** This route's access, when it differs from its area's (`AREA_ACCESS`). */
    access?: Access;
  }
}
