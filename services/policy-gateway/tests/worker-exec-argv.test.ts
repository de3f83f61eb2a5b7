import { describe, expect, it } from 'vitest';
import { workerExecArgv } from '../src/cluster/worker-exec-argv.js';

describe('workerExecArgv', () => {
  it('adds the semi-space size to the primary options', () => {
    expect(workerExecArgv(['--enable-source-maps'], undefined, 64)).toEqual([
      '--enable-source-maps',
      '--max-semi-space-size=64',
    ]);
  });

  it('keeps V8 default with 0', () => {
    expect(workerExecArgv(['--enable-source-maps'], '--no-warnings', 0)).toEqual([
      '--enable-source-maps',
    ]);
  });

  it.each([
    {
      note: 'in the primary options',
      execArgv: ['--max-semi-space-size=32'],
      nodeOptions: undefined,
    },
    { note: 'as two words', execArgv: ['--max-semi-space-size', '32'], nodeOptions: undefined },
    { note: 'in V8 spelling', execArgv: ['--max_semi_space_size=32'], nodeOptions: undefined },
    {
      note: 'in NODE_OPTIONS',
      execArgv: [],
      nodeOptions: '--no-warnings  --max-semi-space-size=8',
    },
  ])('leaves a size the operator gave node $note', ({ execArgv, nodeOptions }) => {
    expect(workerExecArgv(execArgv, nodeOptions, 64)).toEqual(execArgv);
  });

  it('does not take a longer flag for it', () => {
    expect(workerExecArgv(['--max-semi-space-size-x=1'], undefined, 64)).toContain(
      '--max-semi-space-size=64',
    );
  });
});
