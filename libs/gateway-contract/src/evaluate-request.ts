/** The body of `POST /policy/evaluate`: a prompt, who sends it, and optional facts for the policy. */
import type { Static } from '@sinclair/typebox';
import * as Type from '@sinclair/typebox/type';
import { JsonObject } from './json-object.js';

export const EvaluateRequestSchema = Type.Object(
  {
    prompt: Type.String({ minLength: 1, description: 'The prompt to check.' }),
    user_id: Type.String({ minLength: 1, description: 'Who sends the prompt.' }),
    context: Type.Optional(
      JsonObject({ description: 'Free-form facts passed to the policy as `input.context`.' }),
    ),
  },
  { additionalProperties: false },
);

export type EvaluateRequest = Static<typeof EvaluateRequestSchema>;
