/**
 * Admission control on its own: how many evaluations run, wait or are refused, per client and
 * in total, and in which order waiting clients get their turn.
 */
import { describe, expect, it } from 'vitest';
import {
  type Admitted,
  EvaluationAdmission,
  evaluationCost,
  type Refusal,
} from '../src/api/evaluation-admission.js';

/** Work the test finishes by hand, recording when it started. */
class Gate {
  readonly started: string[] = [];
  readonly #open = new Map<string, () => void>();

  work(name: string): () => Promise<string> {
    return () =>
      new Promise((resolve) => {
        this.started.push(name);
        this.#open.set(name, () => resolve(name));
      });
  }

  finish(name: string): void {
    const finish = this.#open.get(name);
    if (finish === undefined) throw new Error(`${name} has not started`);
    this.#open.delete(name);
    finish();
  }
}

function admitted(result: Admitted | Refusal): Admitted {
  if (result.refused) throw new Error(`refused: ${result.detail}`);
  return result;
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('EvaluationAdmission', () => {
  it('runs up to its concurrency at once and lets the others wait', async () => {
    const admission = new EvaluationAdmission({ concurrency: 2, queueLimit: 5, perClientLimit: 5 });
    const gate = new Gate();

    const runs = ['a1', 'a2', 'a3'].map((name) =>
      admitted(admission.admit('a')).run(gate.work(name)),
    );
    await settle();

    expect(gate.started).toEqual(['a1', 'a2']);
    expect(admission.running).toBe(2);
    expect(admission.waiting).toBe(1);
    gate.finish('a1');
    await settle();
    expect(gate.started).toEqual(['a1', 'a2', 'a3']);
    gate.finish('a2');
    gate.finish('a3');
    expect(await Promise.all(runs)).toEqual(['a1', 'a2', 'a3']);
    expect(admission.running).toBe(0);
  });

  it('refuses a client at its limit, while other clients are still admitted', () => {
    const admission = new EvaluationAdmission({
      concurrency: 1,
      queueLimit: 10,
      perClientLimit: 2,
    });
    const gate = new Gate();

    void admitted(admission.admit('a')).run(gate.work('a1'));
    void admitted(admission.admit('a')).run(gate.work('a2'));
    const third = admission.admit('a');

    expect(third).toMatchObject({ refused: true, limit: 'client' });
    expect((third as Refusal).detail).toContain('POLICY_GATEWAY_EVAL_PER_CLIENT_LIMIT');
    expect(admission.refusal('a')).toMatchObject({ limit: 'client' });
    expect(admission.admit('b').refused).toBe(false);
  });

  it('refuses everyone once the queue is full', () => {
    const admission = new EvaluationAdmission({ concurrency: 1, queueLimit: 2, perClientLimit: 5 });
    const gate = new Gate();

    void admitted(admission.admit('a')).run(gate.work('a1'));
    void admitted(admission.admit('b')).run(gate.work('b1'));
    void admitted(admission.admit('c')).run(gate.work('c1'));
    const refused = admission.admit('d');

    expect(refused).toMatchObject({ refused: true, limit: 'queue' });
    expect((refused as Refusal).detail).toContain('POLICY_GATEWAY_EVAL_QUEUE_LIMIT');
  });

  it("gives a waiting client its turn before another client's backlog, not in arrival order", async () => {
    const admission = new EvaluationAdmission({
      concurrency: 1,
      queueLimit: 10,
      perClientLimit: 10,
    });
    const gate = new Gate();

    for (const name of ['h1', 'h2', 'h3', 'h4']) {
      void admitted(admission.admit('hostile')).run(gate.work(name));
    }
    void admitted(admission.admit('ordinary')).run(gate.work('o1'));
    for (const name of ['h1', 'o1', 'h2', 'h3']) {
      await settle();
      gate.finish(name);
    }
    await settle();

    // o1 arrived after h4 but ran as soon as the evaluation in progress ended.
    expect(gate.started).toEqual(['h1', 'o1', 'h2', 'h3', 'h4']);
  });

  it('puts a short evaluation ahead of long ones queued by many clients, and still runs those', async () => {
    const admission = new EvaluationAdmission({
      concurrency: 1,
      queueLimit: 40,
      perClientLimit: 10,
    });
    const gate = new Gate();
    const long = evaluationCost('x'.repeat(16_000));
    const short = evaluationCost('Summarise the attached report for the board.');

    for (let client = 0; client < 16; client++) {
      for (const round of [1, 2]) {
        const name = `c${client}r${round}`;
        void admitted(admission.admit(`10.0.0.${client}`, long)).run(gate.work(name));
      }
    }
    await settle();
    gate.finish('c0r1');
    await settle();
    void admitted(admission.admit('10.0.1.1', short)).run(gate.work('ordinary'));
    // The next long one, chosen before the ordinary prompt arrived, finishes; then its turn.
    gate.finish(gate.started.at(-1)!);
    await settle();

    expect(gate.started.at(-1)).toBe('ordinary');
    gate.finish('ordinary');
    for (let i = 0; i < 29; i++) {
      await settle();
      gate.finish(gate.started.at(-1)!);
    }
    await settle();
    // Every long evaluation ran, first rounds before second rounds.
    expect(gate.started).toHaveLength(33);
    const order = gate.started.filter((name) => name !== 'ordinary');
    expect(order.slice(0, 16).every((name) => name.endsWith('r1'))).toBe(true);
    expect(order.slice(16).every((name) => name.endsWith('r2'))).toBe(true);
  });

  it('gives the turn back when the work fails', async () => {
    const admission = new EvaluationAdmission({ concurrency: 1, queueLimit: 0, perClientLimit: 1 });

    const failed = admitted(admission.admit('a')).run(() => Promise.reject(new Error('boom')));

    await expect(failed).rejects.toThrow('boom');
    expect(admission.running).toBe(0);
    expect(admission.refusal('a')).toBeUndefined();
    expect(await admitted(admission.admit('a')).run(async () => 'again')).toBe('again');
  });

  it('rejects limits that cannot work', () => {
    expect(
      () => new EvaluationAdmission({ concurrency: 0, queueLimit: 1, perClientLimit: 1 }),
    ).toThrow('concurrency must be a positive integer');
  });
});
