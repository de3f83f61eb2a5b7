/**
 * Who an evaluation is about. A caller whose credential names a subject (an OIDC token) records
 * decisions about that subject: a body `user_id` that differs is refused (403), unless its
 * authenticator granted it acting for others (`Principal.mayActForOthers`: a client-credentials
 * token, whose subject is the client itself). A caller without a subject (an API key: a service
 * account evaluating on behalf of its users; anyone when authentication is off) names the user.
 */
import type { Principal } from '../auth/principal.js';
import { ApiProblem } from './problem.js';

/** Whether `principal` may record a decision about `userId`. */
export function mayDecideAbout(principal: Principal, userId: string): boolean {
  return (
    principal.subject === null || principal.subject === userId || principal.mayActForOthers === true
  );
}

/**
 * The `user_id` to evaluate and record: the body's, once `principal` may decide about it.
 *
 * @throws ApiProblem FORBIDDEN, naming `user_id`, when it may not.
 */
export function decisionUserId(principal: Principal, bodyUserId: string): string {
  if (!mayDecideAbout(principal, bodyUserId)) {
    throw new ApiProblem(
      'FORBIDDEN',
      "user_id must be the token's subject: this token may not record decisions about other users",
      'user_id',
    );
  }
  return bodyUserId;
}
