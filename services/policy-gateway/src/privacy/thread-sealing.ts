/**
 * Sealing a decision's original on the evaluation thread that made the decision: the thread
 * already has the input and masks the entry there (`decided-masking.ts`), so with the entry's id
 * and the subject's data key sent with the job it seals the original too, and the main thread
 * only checks that the key is still the subject's current one (`OriginalSealer.adopt`) and
 * stores. The key is lent only to the gateway's own evaluation threads, in this process, and only
 * while the sealer remembers it (`OriginalSealer.rememberedKeyOf`); a decision without one is
 * sealed on the main thread at write time, as with an engine that has no threads.
 */
import type { SealedOriginal } from '@policy-gateway/governance-runtime';
import type { MaskedParts } from './entry-masking.js';
import { type DataKey, sealJsonUnder } from './original-cipher.js';
import { RandomBytesPool } from './random-bytes-pool.js';

/** Where an engine with evaluation threads gets the data keys it lends them. */
export interface SealingKeySource {
  /** The user's data key when it may be used without asking the key store; else undefined. */
  rememberedKeyOf(userId: string): DataKey | undefined;
}

/** Sent with a decision's job: seal its original for entry `entryId` under `key`. */
export interface SealingOrder {
  readonly entryId: string;
  readonly key: DataKey;
}

/** An original a thread sealed, with the entry it was sealed for (the AAD binds it there). */
export interface ThreadSealed {
  readonly entryId: string;
  readonly original: SealedOriginal;
}

/** The thread's own IVs: a pool per thread, so no two threads hand out the same bytes. */
let ivs: RandomBytesPool | undefined;

/**
 * On the evaluation thread: the original of `parts` sealed as `order` says, when masking
 * changed the entry (an unchanged entry keeps no original) and its input has JSON text.
 */
export function sealOnThread(order: SealingOrder, parts: MaskedParts): ThreadSealed | undefined {
  if (!parts.changed || parts.original === undefined) return undefined;
  ivs ??= new RandomBytesPool();
  return {
    entryId: order.entryId,
    original: sealJsonUnder(order.key, order.entryId, parts.original, ivs),
  };
}
