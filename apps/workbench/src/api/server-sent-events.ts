/**
 * Reads a `text/event-stream` body (the HTML standard's format) into events, for the gateway's
 * live tail. The Workbench reads the stream with `fetch`, which can send the `Authorization`
 * header the gateway requires; `EventSource` cannot.
 */

export interface ServerSentEvent {
  /** `message` when the event names none. */
  readonly event: string;
  /** The event's `id` (the position to resume from), if it has one. */
  readonly id: string | undefined;
  readonly data: string;
}

/**
 * The events of `body` as they arrive; ends with the body. Comments (heartbeats) and `retry`
 * fields are skipped.
 *
 * @example
 * for await (const event of serverSentEvents(response.body)) handle(event);
 */
export async function* serverSentEvents(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<ServerSentEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffered += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
      let end = buffered.indexOf('\n\n');
      while (end >= 0) {
        const event = parseBlock(buffered.slice(0, end));
        buffered = buffered.slice(end + 2);
        if (event !== undefined) yield event;
        end = buffered.indexOf('\n\n');
      }
    }
  } finally {
    reader.releaseLock();
  }
}

function parseBlock(block: string): ServerSentEvent | undefined {
  let event = 'message';
  let id: string | undefined;
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (name === 'event') event = value;
    else if (name === 'id') id = value;
    else if (name === 'data') data.push(value);
  }
  return data.length === 0 ? undefined : { event, id, data: data.join('\n') };
}
