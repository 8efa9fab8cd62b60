#!/usr/bin/env node
// `npm start`: builds and runs the backend with the web console on the embedded defaults,
// and, where the Electron binary is installed and a display exists, the desktop console
// pointed at it. The Electron binary is never downloaded here (see .npmrc), so on a bare
// server this is just the backend; HOTLINE_DESKTOP=0 skips the desktop anyway.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

function electronBinary() {
  try {
    const path = require('electron'); // the path of the binary, or throws when it was not installed
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

function npmRun(script) {
  const r = spawnSync('npm', ['run', script], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

async function waitHealthy(url, seconds) {
  for (let i = 0; i < seconds * 4; i++) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

const electron = process.env.HOTLINE_DESKTOP === '0' ? null : electronBinary();
const display = process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);

npmRun('build');
if (electron && display) npmRun('build:desktop');

const children = [];
const server = spawn(process.execPath, ['out/server/server/main.js'], { stdio: 'inherit' });
children.push(server);
server.on('exit', (code) => {
  for (const c of children) if (c !== server && c.exitCode === null) c.kill('SIGTERM');
  process.exit(code ?? 0);
});
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    for (const c of children) if (c.exitCode === null) c.kill(sig);
  });
}

if (!electron) {
  console.log('Desktop console: Electron binary not installed, web console only (see README).');
} else if (!display) {
  console.log('Desktop console: no display, web console only.');
} else {
  const url = `http://127.0.0.1:${process.env.HOTLINE_PORT ?? '8080'}`;
  if (await waitHealthy(url, 60)) {
    const desktop = spawn(electron, ['.'], { stdio: 'inherit', env: { ...process.env, HOTLINE_SERVER_URL: url } });
    children.push(desktop);
  } else {
    console.error(`Desktop console: the backend did not answer at ${url}; not starting Electron.`);
  }
}
