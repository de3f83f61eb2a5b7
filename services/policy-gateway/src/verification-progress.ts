/**
 * The progress of `policy-gateway audit verify`: on a terminal, a bar redrawn in place with
 * entries checked, entries/s and chains; elsewhere (a pipe, a log file, CI) a plain line
 * every ten seconds, so that a long run shows it is alive without flooding the log. At the
 * end, where progress was shown, one line with the speed of the whole run.
 */
import type { Writable } from 'node:stream';
import type { AuditTrailProgress } from '@policy-gateway/governance-runtime';

const BAR_WIDTH = 30;
const REDRAW_MS = 100;
const PLAIN_LINE_MS = 10_000;

export class VerificationProgress {
  readonly #out: Writable & { readonly isTTY?: boolean };
  readonly #tty: boolean;
  readonly #started = performance.now();
  #lastWrite: number;
  #drawn = false;
  #shown = false;

  constructor(out: Writable & { readonly isTTY?: boolean }) {
    this.#out = out;
    this.#tty = out.isTTY === true;
    // A bar is drawn at once; a plain line only once the run has lasted a while.
    this.#lastWrite = this.#tty ? Number.NEGATIVE_INFINITY : this.#started;
  }

  update(progress: AuditTrailProgress): void {
    const now = performance.now();
    if (now - this.#lastWrite < (this.#tty ? REDRAW_MS : PLAIN_LINE_MS)) return;
    this.#lastWrite = now;
    const seconds = (now - this.#started) / 1000;
    const rate = seconds > 0 ? Math.round(progress.entriesChecked / seconds) : 0;
    const counts = `${progress.entriesChecked.toLocaleString('en-US')}/${progress.totalEntries.toLocaleString('en-US')} entries, ${rate.toLocaleString('en-US')} entries/s, chain ${Math.min(progress.chainsChecked + 1, progress.chains)}/${progress.chains}`;
    if (this.#tty) {
      const share =
        progress.totalEntries === 0
          ? 1
          : Math.min(1, progress.entriesChecked / progress.totalEntries);
      const filled = Math.round(share * BAR_WIDTH);
      const bar = `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${Math.floor(share * 100)}%`;
      this.#out.write(`\r\u001b[2K${bar} ${counts}`);
      this.#drawn = true;
    } else {
      this.#out.write(`verifying: ${counts}\n`);
    }
    this.#shown = true;
  }

  /**
   * Clears the bar, so that the result line stands alone, and, when progress was shown and the
   * run finished (`entriesChecked` given), says how fast it went, e.g. `verified 1,000,000
   * entries in 8.2 s: 121,951 entries/s`.
   */
  end(entriesChecked?: number): void {
    if (this.#drawn) this.#out.write('\r\u001b[2K');
    this.#drawn = false;
    if (!this.#shown || entriesChecked === undefined) return;
    const seconds = (performance.now() - this.#started) / 1000;
    const rate = seconds > 0 ? Math.round(entriesChecked / seconds) : 0;
    this.#out.write(
      `verified ${entriesChecked.toLocaleString('en-US')} entries in ${seconds.toFixed(1)} s: ${rate.toLocaleString('en-US')} entries/s\n`,
    );
    this.#shown = false;
  }
}
