// The progress of `policy-gateway audit verify`: a bar redrawn in place with entries/s on a
// terminal, cleared before the result line; on a pipe, nothing for a short run.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { VerificationProgress } from '../src/verification-progress.js';

function stream(isTTY: boolean) {
  const out = Object.assign(new PassThrough(), { isTTY });
  let text = '';
  out.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  return { out, text: () => text };
}

describe('VerificationProgress', () => {
  it('draws a bar with entries, entries/s and the chain on a terminal, and clears it at the end', () => {
    const { out, text } = stream(true);
    const progress = new VerificationProgress(out);
    progress.update({ entriesChecked: 250, totalEntries: 1000, chainsChecked: 0, chains: 2 });
    const clearLine = '\r\u001b[2K';
    expect(text().startsWith(clearLine)).toBe(true);
    expect(text().slice(clearLine.length)).toMatch(
      /^\[#{8}-{22}\] 25% 250\/1,000 entries, [\d,]+ entries\/s, chain 1\/2$/,
    );
    progress.end();
    expect(text().endsWith('\r\u001b[2K')).toBe(true);
  });

  it('ends a run shown on a terminal with one line of its speed, after clearing the bar', () => {
    const { out, text } = stream(true);
    const progress = new VerificationProgress(out);
    progress.update({ entriesChecked: 250, totalEntries: 1000, chainsChecked: 0, chains: 2 });
    const drawn = text().length;
    progress.end(1000);
    const clearLine = '\r\u001b[2K';
    expect(text().slice(drawn).startsWith(clearLine)).toBe(true);
    expect(text().slice(drawn + clearLine.length)).toMatch(
      /^verified 1,000 entries in \d+\.\d s: [\d,]+ entries\/s\n$/,
    );
  });

  it('writes nothing on a pipe for a run shorter than its ten-second interval, speed included', () => {
    const { out, text } = stream(false);
    const progress = new VerificationProgress(out);
    progress.update({ entriesChecked: 250, totalEntries: 1000, chainsChecked: 0, chains: 2 });
    progress.end(1000);
    expect(text()).toBe('');
  });
});
