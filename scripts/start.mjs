#!/usr/bin/env node
// `npm start` and `npm run dev`: the gateway and the Workbench together on one machine.
// `npm start` builds the gateway and runs the compiled build, as deployments do (`npm run dev`
// runs and watches its TypeScript sources); migrations run first as their own step (the gateway
// never migrates at start-up); then both processes run until Ctrl-C, SIGTERM or SIGHUP, which
// stop them gracefully, as does the end of the process that started this one (see
// exit-with-parent.mjs, which every process started here loads too).
import './exit-with-parent.mjs';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dev = process.argv.includes('--dev');
const gatewayBin = join(root, 'services/policy-gateway/bin/policy-gateway.js');
const gatewaySourcesBin = join(root, 'services/policy-gateway/bin/policy-gateway-sources.js');
const gatewayBuild = join(root, 'services/policy-gateway/scripts/build.mjs');
const vite = join(root, 'node_modules/vite/bin/vite.js');
const tsx = join(root, 'node_modules/tsx/dist/cli.mjs');
const workbench = join(root, 'apps/workbench');
const withParent = ['--import', pathToFileURL(join(root, 'scripts/exit-with-parent.mjs')).href];
/** How long the processes get to stop gracefully before they are killed. */
const STOP_GRACE_MS = 15_000;

/** Every process started and not yet exited, by name. */
const running = new Map();
let stopping = false;

function start(name, args, options = {}) {
  const child = spawn(process.execPath, [...withParent, ...args], { stdio: 'inherit', ...options });
  running.set(name, child);
  const exited = new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      running.delete(name);
      resolve({ code, signal });
    }),
  );
  return exited;
}

function stopAll(signal) {
  if (stopping) return;
  stopping = true;
  for (const child of running.values()) child.kill(signal);
  setTimeout(() => {
    for (const [name, child] of running) {
      console.error(`✖ ${name} did not stop within ${STOP_GRACE_MS / 1000} s; killing it.`);
      child.kill('SIGKILL');
    }
  }, STOP_GRACE_MS).unref();
}
process.on('SIGINT', () => stopAll('SIGINT'));
process.on('SIGTERM', () => stopAll('SIGTERM'));
// The terminal closed: the children get SIGHUP as well, and stop as on SIGTERM.
process.on('SIGHUP', () => stopAll('SIGTERM'));

async function step(title, args, options = {}) {
  if (stopping) process.exit(0);
  console.log(`\n▶ ${title}`);
  const { code, signal } = await start(title, args, options);
  if (stopping) process.exit(0);
  if (code !== 0) {
    console.error(`✖ ${title} failed (${signal ?? `exit ${code}`}); nothing else was started.`);
    process.exit(code ?? 1);
  }
}

if (!dev) await step('Building the gateway', [gatewayBuild], { cwd: root });
await step('Applying database migrations (policy-gateway migrate)', [gatewayBin, 'migrate'], {
  cwd: root,
});
if (!dev) {
  await step('Building the Workbench', [vite, 'build', '--logLevel', 'warn'], { cwd: workbench });
}

/** The gateway started below, as the Workbench's server reaches it (unless set already). */
function workbenchProxyTarget() {
  if (process.env.WORKBENCH_PROXY_TARGET) return process.env.WORKBENCH_PROXY_TARGET;
  return `http://127.0.0.1:${process.env.POLICY_GATEWAY_PORT || '8080'}`;
}

const services = [
  [
    'gateway',
    dev
      ? // The sources' command, so that tsx watches the TypeScript the gateway runs (not dist/).
        [tsx, 'watch', '--clear-screen=false', gatewaySourcesBin, 'serve']
      : [gatewayBin, 'serve'],
    { cwd: root },
  ],
  [
    'workbench',
    [vite, dev ? 'dev' : 'preview', '--port', '5173', '--strictPort'],
    {
      cwd: workbench,
      // The Workbench forwards /api to this gateway (apps/workbench/server/gateway-proxy.ts).
      env: { ...process.env, WORKBENCH_PROXY_TARGET: workbenchProxyTarget() },
    },
  ],
];

let exitCode = 0;
await Promise.all(
  services.map(async ([name, args, options]) => {
    const { code, signal } = await start(name, args, options);
    if (!stopping) {
      console.error(`✖ ${name} stopped (${signal ?? `exit ${code}`}); stopping the rest.`);
      exitCode = code || 1;
    }
    stopAll('SIGTERM');
  }),
);
process.exit(exitCode);
