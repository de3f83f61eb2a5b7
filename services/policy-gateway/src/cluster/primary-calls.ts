/**
 * Calls from a worker to the primary over the cluster's IPC channel: what only the primary
 * can answer for all workers (the memory store they share, the metrics of every worker). A
 * call names a target and a method the primary lists (nothing else is callable), carries
 * arguments that clone (advanced serialization: dates, maps and big integers included), and
 * is answered once, or rejected after a time limit, so that a worker never waits unbounded
 * on a primary that is stuck.
 */
import { fromWireError, toWireError, type WireError } from './wire-error.js';

/** One end of a message channel: a cluster worker in the primary, `process` in a worker. */
export interface IpcChannel {
  send(message: unknown): void;
  /** Adds a listener; returns what removes it. */
  listen(listener: (message: unknown) => void): () => void;
}

type Method = (...args: never[]) => unknown;

/** What the primary answers: target → method → function. */
export type CallTargets = Readonly<Record<string, Readonly<Record<string, Method>>>>;

interface CallMessage {
  readonly kind: 'pgw:call';
  readonly id: number;
  readonly target: string;
  readonly method: string;
  readonly args: readonly unknown[];
}

type ReplyMessage =
  | { readonly kind: 'pgw:reply'; readonly id: number; readonly value: unknown }
  | { readonly kind: 'pgw:reply'; readonly id: number; readonly error: WireError };

function isCall(message: unknown): message is CallMessage {
  return (message as CallMessage | null)?.kind === 'pgw:call';
}

function isReply(message: unknown): message is ReplyMessage {
  return (message as ReplyMessage | null)?.kind === 'pgw:reply';
}

/** The primary's side: answers every call that arrives on `channel`; returns what stops it. */
export function answerCalls(channel: IpcChannel, targets: CallTargets): () => void {
  return channel.listen((message) => {
    if (!isCall(message)) return;
    const method = Object.hasOwn(targets, message.target)
      ? targets[message.target]?.[message.method]
      : undefined;
    const reply = (answer: { value: unknown } | { error: WireError }) => {
      try {
        channel.send({ kind: 'pgw:reply', id: message.id, ...answer });
      } catch {
        // The worker has gone; it waits for nothing any more.
      }
    };
    if (method === undefined || !Object.hasOwn(targets[message.target] ?? {}, message.method)) {
      reply({
        error: toWireError(new Error(`the primary has no ${message.target}.${message.method}`)),
      });
      return;
    }
    Promise.resolve()
      .then(() => (method as (...args: readonly unknown[]) => unknown)(...message.args))
      .then(
        (value) => reply({ value }),
        (error: unknown) => reply({ error: toWireError(error) }),
      );
  });
}

/** The worker's side: sends calls and matches the replies to them. */
export class PrimaryCalls {
  readonly #channel: IpcChannel;
  readonly #timeoutMs: number;
  readonly #pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }
  >();
  readonly #stopListening: () => void;
  #nextId = 0;

  constructor(channel: IpcChannel, options: { readonly timeoutMs?: number } = {}) {
    this.#channel = channel;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#stopListening = channel.listen((message) => {
      if (!isReply(message)) return;
      const pending = this.#pending.get(message.id);
      if (pending === undefined) return;
      this.#pending.delete(message.id);
      clearTimeout(pending.timer);
      if ('error' in message) pending.reject(fromWireError(message.error));
      else pending.resolve(message.value);
    });
  }

  /**
   * @example
   * const page = await calls.call<AuditLogPage>('auditLog', 'query', [{ limit: 10 }]);
   */
  call<T>(target: string, method: string, args: readonly unknown[] = []): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(
          new Error(
            `the primary process did not answer ${target}.${method} within ${this.#timeoutMs} ms`,
          ),
        );
      }, this.#timeoutMs);
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
      try {
        this.#channel.send({ kind: 'pgw:call', id, target, method, args } satisfies CallMessage);
      } catch (error) {
        this.#pending.delete(id);
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  /** Stops listening; calls still waiting are rejected. */
  close(): void {
    this.#stopListening();
    for (const [id, pending] of this.#pending) {
      this.#pending.delete(id);
      clearTimeout(pending.timer);
      pending.reject(new Error('the channel to the primary process was closed'));
    }
  }
}

/** This worker's channel to the primary (`process.send`); only in a cluster worker. */
export function channelToPrimary(): IpcChannel {
  const send = process.send?.bind(process);
  if (send === undefined) throw new Error('not a cluster worker: there is no channel to a primary');
  return {
    send: (message) => {
      send(message);
    },
    listen: (listener) => {
      process.on('message', listener);
      return () => process.off('message', listener);
    },
  };
}
