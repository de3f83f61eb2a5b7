/**
 * The replays area (impact analysis, issue 17), registered under `/governance/replays` in the
 * audit area's scope: the auditor role, as for every read of the trail, since a replay's
 * changes show recorded decisions (who was decided about, why) and re-judges stored prompts.
 * `POST` compiles the candidate and starts the replay in the background (`202`); `GET /{id}`
 * reports progress and the summary by transition; `GET /{id}/changes` pages through the changed
 * decisions with both results. Starting a replay and reading its results are recorded in the
 * access log (`config.accessLog`), the start with the members that say what was replayed.
 */
import {
  type Replay,
  ReplayChangesPageSchema,
  type ReplayChangesQuery,
  ReplayChangesQuerySchema,
  ReplayIdParamsSchema,
  type ReplayRequest,
  ReplayRequestSchema,
  ReplaySchema,
} from '@policy-gateway/gateway-contract';
import type { FastifyPluginAsync } from 'fastify';
import { ReplayCandidateError } from '../replay/replay-candidate.js';
import { type ReplayRunner, TooManyReplaysError } from '../replay/replay-runner.js';
import { ApiProblem } from './problem.js';
import { NO_ITEMS_READ, REPLAY_CHANGES_READ } from './recorded-read.js';
import { problemResponse } from './schemas.js';

export interface ReplayRoutesOptions {
  readonly runner: ReplayRunner;
}

const RETRY_AFTER_SECONDS = 30;

export const replayRoutes: FastifyPluginAsync<ReplayRoutesOptions> = async (app, { runner }) => {
  const { maxBundleBytes, maxEntries, maxConcurrent } = runner.limits;
  app.post<{ Body: ReplayRequest }>(
    '',
    {
      // The base64 of the largest bundle taken, and room for the rest of the body.
      bodyLimit: Math.ceil((maxBundleBytes * 4) / 3) + 65_536,
      config: {
        accessLog: { ...NO_ITEMS_READ, bodyParameters: ['known_bundle', 'filters', 'max_entries'] },
      },
      schema: {
        summary: 'Replay recorded decisions under a candidate bundle (impact analysis)',
        description: `Re-evaluates the recorded prompt decisions (\`policy.evaluate\`) the filters select, newest first, at most \`max_entries\` (${maxEntries.toLocaleString('en')}), under a candidate: an uploaded \`.tar.gz\` (base64, at most ${maxBundleBytes} bytes) or a bundle the gateway runs. The candidate is compiled first (a bundle that does not compile is \`422\`), then the replay runs in the background on a worker thread of its own: poll \`GET /governance/replays/{id}\`. Nothing is written to the audit trail; the replay and its results are kept apart, with who started it. At most ${maxConcurrent} replays run at once.`,
        body: ReplayRequestSchema,
        response: {
          202: { description: 'The replay, started', ...ReplaySchema },
          400: problemResponse('Neither or both of `bundle` and `known_bundle`, or a bad field'),
          413: problemResponse('The candidate bundle is too large'),
          422: problemResponse('The candidate bundle cannot be read or compiled, or is unknown'),
          429: problemResponse('As many replays as the gateway admits are running'),
          503: problemResponse('The replay store cannot be written'),
        },
      },
    },
    async (request, reply) => {
      const { bundle, known_bundle, filters = {}, max_entries } = request.body;
      if ((bundle === undefined) === (known_bundle === undefined)) {
        throw new ApiProblem(
          'INVALID_FIELD',
          'give the candidate as exactly one of `bundle` (a base64 .tar.gz) and `known_bundle` (`active` or `shadow`)',
          'bundle',
        );
      }
      let replay: Replay;
      try {
        replay = await runner.start({
          candidate:
            bundle === undefined
              ? { known: known_bundle ?? 'active' }
              : { upload: decodeBundle(bundle, maxBundleBytes) },
          filters,
          ...(max_entries === undefined ? {} : { maxEntries: max_entries }),
          requestedBy: request.principal?.id ?? 'anonymous',
        });
      } catch (error) {
        throw problemOf(error);
      }
      return reply.code(202).header('location', `${request.url}/${replay.id}`).send(replay);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/:id',
    {
      config: { accessLog: NO_ITEMS_READ },
      schema: {
        summary: "A replay's status, progress and summary by transition",
        params: ReplayIdParamsSchema,
        response: {
          200: ReplaySchema,
          400: problemResponse('The id is not a UUID'),
          404: problemResponse('No replay has this id'),
        },
      },
    },
    async (request) => {
      const replay = await runner.store.find(request.params.id);
      if (replay === undefined) {
        throw new ApiProblem('NOT_FOUND', `no replay has id ${request.params.id}`, 'id');
      }
      return replay;
    },
  );

  app.get<{ Params: { id: string }; Querystring: ReplayChangesQuery }>(
    '/:id/changes',
    {
      config: { accessLog: REPLAY_CHANGES_READ },
      schema: {
        summary: 'The decisions a replay would change, with the recorded and the candidate result',
        description:
          'In the order the replay read them (newest first); `transition` keeps one kind. Pass `next_cursor` as `cursor` for the next page.',
        params: ReplayIdParamsSchema,
        querystring: ReplayChangesQuerySchema,
        response: {
          200: ReplayChangesPageSchema,
          400: problemResponse('The id is not a UUID, or a bad query parameter'),
          404: problemResponse('No replay has this id'),
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      if ((await runner.store.find(id)) === undefined) {
        throw new ApiProblem('NOT_FOUND', `no replay has id ${id}`, 'id');
      }
      const limit = request.query.limit ?? 50;
      const page = await runner.store.changes(id, {
        limit: limit + 1,
        ...(request.query.cursor === undefined ? {} : { afterSeq: Number(request.query.cursor) }),
        ...(request.query.transition === undefined ? {} : { transition: request.query.transition }),
      });
      const shown = page.slice(0, limit);
      const last = shown[shown.length - 1];
      return {
        changes: shown.map((numbered) => numbered.change),
        next_cursor: page.length > limit && last !== undefined ? String(last.seq) : null,
      };
    },
  );
};

/** The upload's bytes; refused before decoding when its base64 is already too long. */
function decodeBundle(base64: string, maxBytes: number): Buffer {
  if (Math.floor((base64.length * 3) / 4) > maxBytes + 2) {
    throw new ApiProblem(
      'BUNDLE_TOO_LARGE',
      `the candidate bundle is larger than ${maxBytes} bytes, the most a replay takes`,
      'bundle',
    );
  }
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) {
    throw new ApiProblem('INVALID_FIELD', '`bundle` must be base64 (a .tar.gz)', 'bundle');
  }
  return Buffer.from(base64, 'base64');
}

function problemOf(error: unknown): unknown {
  if (error instanceof TooManyReplaysError) {
    return new ApiProblem(
      'TOO_MANY_REPLAYS',
      error.message,
      undefined,
      {},
      {
        retryAfterSeconds: RETRY_AFTER_SECONDS,
      },
    );
  }
  if (error instanceof ReplayCandidateError) {
    return error.reason === 'too-large'
      ? new ApiProblem('BUNDLE_TOO_LARGE', error.message, 'bundle')
      : new ApiProblem(
          'INVALID_BUNDLE',
          error.message,
          error.reason === 'unknown' ? 'known_bundle' : 'bundle',
        );
  }
  return error;
}
