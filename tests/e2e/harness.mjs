// End-to-end harness: starts a switchyard-sim and a switchyard gateway in front of it, both on
// port 0 of the loopback interface, and hands tests an official `openai` SDK client for the
// gateway. Each test file starts its own stack in before() and stops it in after(), so files are
// independent and can run in parallel.
//
// Binaries come from $SWITCHYARD_BIN_DIR (default: build/release of this repository).

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';

export const E2E_DIR = path.dirname(fileURLToPath(import.meta.url));
export const BIN_DIR = process.env.SWITCHYARD_BIN_DIR
  ? path.resolve(process.env.SWITCHYARD_BIN_DIR)
  : path.resolve(E2E_DIR, '../../build/release');
export const SIM_CONFIG = path.join(E2E_DIR, 'sim.yaml');
// Gateway config with short upstream timeouts and a provider nobody listens on.
export const SHORT_TIMEOUTS_CONFIG = path.join(E2E_DIR, 'gateway-short-timeouts.yaml');

const START_TIMEOUT_MS = 15_000; // a process must print its `listening on` line within this
const STOP_GRACE_MS = 5_000; // SIGTERM, then SIGKILL after this
const STDERR_TAIL_BYTES = 16 * 1024;

const running = new Set();
process.on('exit', () => {
  // Last resort when a test file dies without its after() hook: never leave servers behind.
  for (const child of running) child.kill('SIGKILL');
});

// A child process started and owned by the harness.
export class ServerProcess {
  constructor(name, child) {
    this.name = name;
    this.child = child;
    this.stderr = '';
    this.exit = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        running.delete(child);
        resolve({ code, signal });
      });
    });
    this.exited = false;
    this.exit.then(() => (this.exited = true));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text) => {
      this.stderr = (this.stderr + text).slice(-STDERR_TAIL_BYTES);
    });
  }

  get pid() {
    return this.child.pid;
  }

  // Sends a signal without waiting (e.g. SIGTERM to test draining).
  signal(name) {
    if (!this.exited) this.child.kill(name);
  }

  // SIGTERM, then SIGKILL if the process is still there after a few seconds.
  async stop() {
    if (this.exited) return this.exit;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_MS);
    const result = await this.exit;
    clearTimeout(timer);
    return result;
  }
}

// Spawns `binary args...` and waits for a stdout line matching `ready`; returns the process and
// the match.
async function startProcess(name, binary, args, env, ready) {
  // Each process runs in a fresh directory: the gateway keeps its data (database, audit log)
  // under ./data by default.
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), `sy-e2e-${name}-`));
  const child = spawn(binary, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const proc = new ServerProcess(name, child);
  proc.exit.then(() => fs.rmSync(cwd, { recursive: true, force: true }));
  const lines = readline.createInterface({ input: child.stdout });
  try {
    const match = await new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${name} printed no "listening on" line in ${START_TIMEOUT_MS} ms`)),
        START_TIMEOUT_MS,
      );
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`cannot start ${binary}: ${err.message}`));
      });
      proc.exit.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited (code ${code}, signal ${signal}) before listening`));
      });
      lines.on('line', (line) => {
        const m = ready.exec(line);
        if (m) {
          clearTimeout(timer);
          resolve(m);
        }
      });
    });
    // Keep draining stdout so the child never blocks on a full pipe.
    child.stdout.resume();
    return { proc, match };
  } catch (err) {
    child.kill('SIGKILL');
    await proc.exit;
    err.message += proc.stderr ? `\n--- ${name} stderr ---\n${proc.stderr}` : '';
    throw err;
  }
}

// The environment for our children: the caller's, minus variables that would change what the
// binaries under test do.
function childEnv(extra) {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key.startsWith('SWITCHYARD_') || key.startsWith('SIM_')) delete env[key];
  }
  return { ...env, ...extra };
}

export class Sim {
  constructor(proc, port) {
    this.proc = proc;
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
  }

  // {"requests":{model:n},"total","active","completed","client_disconnects"}
  async stats() {
    const res = await fetch(`${this.url}/sim/stats`);
    if (!res.ok) throw new Error(`GET /sim/stats: ${res.status}`);
    return res.json();
  }

  // Zeroes the counters and the `times=N` fault tallies.
  async reset() {
    const res = await fetch(`${this.url}/sim/reset`, { method: 'POST' });
    if (!res.ok) throw new Error(`POST /sim/reset: ${res.status}`);
  }

  stop() {
    return this.proc.stop();
  }
}

export async function startSim({ config = SIM_CONFIG } = {}) {
  const { proc, match } = await startProcess(
    'switchyard-sim',
    path.join(BIN_DIR, 'switchyard-sim'),
    ['--listen', '127.0.0.1:0', '--config', config, '--log-level', 'warn'],
    childEnv({}),
    /^switchyard-sim listening on 127\.0\.0\.1:(\d+)$/,
  );
  return new Sim(proc, Number(match[1]));
}

export class Gateway {
  constructor(proc, port) {
    this.proc = proc;
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
    this.baseURL = `${this.url}/v1`;
  }

  // An official OpenAI SDK client for this gateway. The SDK must not retry on its own: the tests
  // look at what the gateway answers to one request.
  client(options = {}) {
    return new OpenAI({
      baseURL: this.baseURL,
      apiKey: 'sk-demo', // the demo config's key (auth.require is on there)
      maxRetries: 0,
      timeout: 30_000,
      ...options,
    });
  }

  // An official Anthropic SDK client for this gateway (it sends the key as x-api-key).
  anthropic(options = {}) {
    return new Anthropic({
      baseURL: this.url,
      apiKey: 'sk-demo',
      maxRetries: 0,
      timeout: 30_000,
      ...options,
    });
  }

  stop() {
    return this.proc.stop();
  }
}

// Starts the gateway with `config` (a file; default: the embedded demo config) and its provider
// pointed at `sim`.
export async function startGateway({ sim, config, env = {} } = {}) {
  const args = ['serve', '--listen', '127.0.0.1:0', '--log-level', 'warn'];
  if (config) args.push('--config', config);
  const { proc, match } = await startProcess(
    'switchyard',
    path.join(BIN_DIR, 'switchyard'),
    args,
    childEnv({ SWITCHYARD_SIM_URL: sim.url, ...env }),
    /^switchyard listening on 127\.0\.0\.1:(\d+) \(config: .*\)$/,
  );
  return new Gateway(proc, Number(match[1]));
}

// A loopback URL on which nothing listens: a port the kernel handed out and we gave back.
export async function closedPortUrl() {
  const server = net.createServer();
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

// The demo config with the circuit breakers off, for test files that provoke upstream
// failures on purpose and expect every attempt they plan (routing.test.mjs covers the
// breakers). Written once per process to a temporary file.
let demoWithoutHealth;
export function demoConfigWithoutHealth() {
  if (!demoWithoutHealth) {
    const demo = fs.readFileSync(path.resolve(E2E_DIR, '../../config/demo.yaml'), 'utf8');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-e2e-config-'));
    demoWithoutHealth = path.join(dir, 'demo-no-health.yaml');
    fs.writeFileSync(demoWithoutHealth, `${demo}\nrouting:\n  health: {enabled: false}\n`);
    process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  }
  return demoWithoutHealth;
}

// A simulator and a gateway in front of it. Options: `config` (gateway config file), `env`
// (extra gateway environment), `health: false` (the demo config with circuit breakers off).
export async function startStack({ config, env, health = true } = {}) {
  if (!health && !config) config = demoConfigWithoutHealth();
  const sim = await startSim();
  try {
    const gateway = await startGateway({ sim, config, env });
    return {
      sim,
      gateway,
      client: (options) => gateway.client(options),
      anthropic: (options) => gateway.anthropic(options),
      async stop() {
        await Promise.all([gateway.stop(), sim.stop()]);
      },
    };
  } catch (err) {
    await sim.stop();
    throw err;
  }
}

// Polls `probe` until it returns a truthy value; returns that value, or the last one after
// `timeoutMs` (the caller's assertion then fails with a useful message).
export async function waitFor(probe, { timeoutMs = 5_000, intervalMs = 25 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value || Date.now() >= deadline) return value;
    await sleep(intervalMs);
  }
}

// One user message.
export function user(text) {
  return [{ role: 'user', content: text }];
}

// Reads a whole SDK stream; returns its chunks.
export async function collect(stream) {
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

// The text content of streamed chunks, concatenated.
export function streamedText(chunks) {
  return chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
}

// Parses `name=outcome, name=outcome` (x-switchyard-attempts) into [[name, outcome], ...].
export function parseAttempts(header) {
  if (!header) return [];
  return header.split(',').map((entry) => {
    const [name, outcome] = entry.trim().split('=');
    return [name, outcome];
  });
}
