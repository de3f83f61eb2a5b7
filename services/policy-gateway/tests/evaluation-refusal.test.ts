/**
 * Refused evaluations over HTTP: each gets its 503 with Retry-After, while the log gets one
 * warning and then one count per second, however many arrive.
 */
import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { installErrorHandling } from '../src/api/error-handler.js';
import { EvaluationAdmission } from '../src/api/evaluation-admission.js';
import { EvaluationRefusals } from '../src/api/evaluation-refusal.js';

const apps: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

describe('EvaluationRefusals', () => {
  it('answers every refusal with 503 and Retry-After but logs one warning, then one count a second', async () => {
    const lines: { level: number; msg: string; refused?: unknown }[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    });
    const app = Fastify({ logger: { level: 'warn', stream: sink } });
    apps.push(app);
    installErrorHandling(app);
    const admission = new EvaluationAdmission({ concurrency: 1, queueLimit: 0, perClientLimit: 1 });
    // The one turn this client may have is taken, and held for the whole test.
    const held = admission.admit('127.0.0.1');
    expect(held.refused).toBe(false);
    const refusals = new EvaluationRefusals(app.log);
    app.post('/evaluate', { onRequest: refusals.early(admission) }, async () => ({ ok: true }));

    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        app.inject({ method: 'POST', url: '/evaluate', payload: { prompt: 'p' } }),
      ),
    );
    const warnedAtOnce = lines.length;
    await new Promise((resolve) => setTimeout(resolve, 1_300));

    for (const response of responses) {
      expect(response.statusCode).toBe(503);
      expect(response.headers['retry-after']).toBe('1');
      expect(response.json()).toMatchObject({ code: 'TOO_MANY_EVALUATIONS' });
    }
    expect(warnedAtOnce).toBe(1);
    expect(lines[0]?.msg).toContain('evaluation refused: this client already has 1 evaluations');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({ level: 40, refused: { client: 19, queue: 0 } });
    expect(lines[1]?.msg).toContain('19 more evaluations refused in the last second');
  });
});
