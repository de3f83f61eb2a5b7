/**
 * The gateway's live tail of the audit trail (`GET /governance/audit/stream`) for the view's
 * filters: the entries committed after the newest one in view, newest first, as they arrive.
 * It resumes where it left off after a broken connection (`Last-Event-ID`), and says when it is
 * not open, so that the view polls instead until it is again (a proxy that buffers or blocks
 * the stream, a gateway without it, its limit of tails reached).
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { AuditEntry, AuditQueryParams } from '../api/gateway-types.js';
import { parseAuditEntry } from '../api/parse-gateway-responses.js';
import { useGateway } from '../config/gateway-context.js';

/** Reconnection delays after a failure: doubling from the first, up to the last. */
export const STREAM_RETRY_MS = { first: 3000, max: 30_000 } as const;

/** Entries kept before the view is told there are more than it can show (reload instead). */
const MAX_KEPT = 250;

export type AuditStreamStatus = 'connecting' | 'open' | 'unavailable';

interface AuditStreamOptions {
  /** The view's filters as the gateway reads them. */
  readonly params: Omit<AuditQueryParams, 'limit' | 'cursor'>;
  /** The newest entry in view: the stream starts after it. */
  readonly newest: AuditEntry | undefined;
  readonly enabled: boolean;
}

export function useAuditStream({ params, newest, enabled }: AuditStreamOptions) {
  const { client } = useGateway();
  const [status, setStatus] = useState<AuditStreamStatus>('connecting');
  const [entries, setEntries] = useState<readonly AuditEntry[]>([]);
  const [overflow, setOverflow] = useState(false);
  // Where to resume: the last event received, else the newest entry in view when connecting.
  const lastEventId = useRef<string | undefined>(undefined);
  const newestInView = useRef(newest);
  newestInView.current = newest;
  const paramsKey = JSON.stringify(params);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the key stands for the params.
  const stableParams = useMemo(() => params, [paramsKey]);

  useEffect(() => {
    if (!enabled) return;
    const abort = new AbortController();
    lastEventId.current = undefined;
    setEntries([]);
    setOverflow(false);
    setStatus('connecting');
    let failures = 0;
    let retry: ReturnType<typeof setTimeout> | undefined;

    const connect = async () => {
      const view = newestInView.current;
      const resumeFrom =
        lastEventId.current ?? (view === undefined ? undefined : `${view.occurred_at}/${view.id}`);
      try {
        const events = await client.streamAudit(stableParams, {
          signal: abort.signal,
          ...(resumeFrom === undefined ? {} : { lastEventId: resumeFrom }),
        });
        setStatus('open');
        failures = 0;
        for await (const event of events) {
          if (event.event === 'overflow') setOverflow(true);
          if (event.event !== 'entry') continue;
          const entry = parseAuditEntry(JSON.parse(event.data));
          lastEventId.current = event.id;
          setEntries((kept) => {
            if (kept.length >= MAX_KEPT) {
              setOverflow(true);
              return kept;
            }
            return [entry, ...kept];
          });
        }
      } catch {
        // Unreachable, refused or cut off: poll meanwhile, and try again below.
      }
      if (abort.signal.aborted) return;
      setStatus('unavailable');
      const delay = Math.min(STREAM_RETRY_MS.first * 2 ** failures, STREAM_RETRY_MS.max);
      failures += 1;
      retry = setTimeout(() => void connect(), delay);
    };
    void connect();
    return () => {
      abort.abort();
      clearTimeout(retry);
    };
  }, [client, stableParams, enabled]);

  /** Forgets what arrived (the view has merged it, or reloads). */
  const clear = useCallback(() => {
    setEntries([]);
    setOverflow(false);
  }, []);

  return { status: enabled ? status : ('unavailable' as const), entries, overflow, clear };
}
