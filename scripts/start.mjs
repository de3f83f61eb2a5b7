#!/usr/bin/env node
// `npm start` and `npm run dev`: the gateway and the Workbench together on one machine.
// Migrations run first as their own step (the gateway never migrates at start-up),
// then both processes run until Ctrl-C, which stops them gracefully.
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dev = process.argv.includes('--dev');
const gatewayBin = join(root, 'services/policy-gateway/bin/policy-gateway.js');
const vite = join(root, 'node_modules/vite/bin/vite.js');
const tsx = join(root, 'node_modules/tsx/dist/cli.mjs');
const workbench = join(root, 'apps/workbench');

function step(title, command, args, options = {}) {
  console.log(`\n▶ ${title}`);
  const { status } = spawnSync(process.execPath, [command, ...args], {
    stdio: 'inherit',
    ...options,
  });
  if (status !== 0) {
    console.error(`✖ ${title} failed (exit ${status}); nothing else was started.`);
    process.exit(status ?? 1);
  }
}

step('Applying database migrations (policy-gateway migrate)', gatewayBin, ['migrate'], {
  cwd: root,
});
if (!dev) step('Building the Workbench', vite, ['build', '--logLevel', 'warn'], { cwd: workbench });

/** The gateway started below, as the Workbench's server reaches it (unless set already). */
function workbenchProxyTarget() {
  if (process.env.WORKBENCH_PROXY_TARGET) return process.env.WORKBENCH_PROXY_TARGET;
  return `http://127.0.0.1:${process.env.POLICY_GATEWAY_PORT || '8080'}`;
}

const children = [
  dev
    ? [
        'gateway',
        spawn(process.execPath, [tsx, 'watch', '--clear-screen=false', gatewayBin, 'serve'], {
          cwd: root,
          stdio: 'inherit',
        }),
      ]
    : ['gateway', spawn(process.execPath, [gatewayBin, 'serve'], { cwd: root, stdio: 'inherit' })],
  [
    'workbench',
    spawn(process.execPath, [vite, dev ? 'dev' : 'preview', '--port', '5173', '--strictPort'], {
      cwd: workbench,
      stdio: 'inherit',
      // The Workbench forwards /api to this gateway (apps/workbench/server/gateway-proxy.ts).
      env: { ...process.env, WORKBENCH_PROXY_TARGET: workbenchProxyTarget() },
    }),
  ],
];

let stopping = false;
function stopAll(signal) {
  if (stopping) return;
  stopping = true;
  for (const [, child] of children) if (child.exitCode === null) child.kill(signal);
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stopAll(signal));

let exitCode = 0;
await Promise.all(
  children.map(
    ([name, child]) =>
      new Promise((resolve) =>
        child.on('exit', (code, signal) => {
          if (!stopping) {
            console.error(`✖ ${name} stopped (${signal ?? `exit ${code}`}); stopping the rest.`);
            exitCode = code || 1;
          }
          stopAll('SIGTERM');
          resolve();
        }),
      ),
  ),
);
process.exit(exitCode);
