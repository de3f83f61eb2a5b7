/**
 * The privacy members of an audit entry (issue 13): what was masked before the entry was
 * stored, and the sealed (encrypted) unmasked input. Both are null on an entry stored unmasked,
 * and are then left out of the entry's digest (`auditEntryDigest`), as they were never stored.
 */
import * as Type from '@sinclair/typebox/type';

export const RedactedSpansSchema = Type.Object({
  code: Type.String({ description: 'The kind of span, as reason codes name it: `pii.email`.' }),
  count: Type.Integer({ minimum: 1 }),
});

export const AuditEntryMaskingSchema = Type.Object(
  {
    erased: Type.Array(Type.String(), {
      description: 'JSON pointers the mask policy removed (OPA `erased`).',
    }),
    masked: Type.Array(Type.String(), {
      description: 'JSON pointers the mask policy overwrote (OPA `masked`).',
    }),
    redacted: Type.Array(RedactedSpansSchema, {
      description: 'Spans replaced inside the prompt by a `[kind]` marker, per kind.',
    }),
  },
  { description: 'What was taken out of the entry before it was stored.' },
);

/**
 * Whether a sealed original can still be opened, as the gateway knows when it serves the entry:
 * a read-time annotation from the subject key store, never stored nor hashed.
 */
export const SEALED_ORIGINAL_STATES = ['sealed', 'erased', 'unknown'] as const;

export const SealedOriginalStateSchema = Type.Union(
  SEALED_ORIGINAL_STATES.map((state) => Type.Literal(state)),
  {
    description:
      "`sealed`: the subject's data key that sealed it is held, so a privacy officer can open it. `erased`: that key was destroyed (the subject's erasure): nobody can open it any more. `unknown`: this gateway holds no subject keys to tell (POLICY_GATEWAY_AUDIT_SEAL_ORIGINALS=off) or could not reach them.",
  },
);

export const SealedOriginalSchema = Type.Object(
  {
    v: Type.Literal(1),
    key_id: Type.String({ description: "Which of the subject's data keys sealed it." }),
    iv: Type.String({ description: 'AES-256-GCM nonce, base64.' }),
    ciphertext: Type.String({ description: 'Ciphertext and GCM tag, base64.' }),
  },
  {
    description:
      "The unmasked input, encrypted under the subject's data key: readable through `POST /governance/audit/{id}/original` until the subject is erased.",
  },
);
