// Workflow `tool` steps calling MCP tools on a real MCP server — the reference
// "everything" server (@modelcontextprotocol/server-everything) — over both transports:
// stdio (the gateway spawns it) and streamable HTTP (this test starts it on a free port).
// Checks outputs (text, JSON text, structuredContent), a lone reference keeping its
// JSON type, the configured environment of a stdio server, the allow-list, an
// undeclared server refused at submit, an unknown tool and an isError result failing
// the step, a map step calling a tool with concurrency 3, a crashed stdio server and a
// forgotten HTTP session replaced by the next call, and the audit records.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { E2E_DIR, closedPortUrl, startStack, waitFor } from './harness.mjs';

const ADMIN_KEY = 'e2e-workflows-mcp-admin-key';
const EVERYTHING = path.join(E2E_DIR, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');

const WORKFLOWS = {
  tools_stdio: `name: tools_stdio
inputs:
  text: {type: string}
  a: {type: number}
steps:
  - id: echo
    kind: tool
    mcp: {server: everything, tool: echo, arguments: {message: "{{inputs.text}}"}}
  - id: sum
    kind: tool
    mcp: {server: everything, tool: get-sum, arguments: {a: "{{inputs.a}}", b: 2}}
  - id: weather
    kind: tool
    mcp: {server: everything, tool: get-structured-content, arguments: {location: Chicago}}
  - id: env
    kind: tool
    mcp: {server: everything, tool: get-env}
output:
  echo: "{{steps.echo.output}}"
  sum: "{{steps.sum.output}}"
  weather: "{{steps.weather.output}}"
  marker: "{{steps.env.output.SY_MCP_MARKER}}"
  leaked: "{{steps.env.output}}"
`,
  tools_http: `name: tools_http
inputs:
  text: {type: string}
steps:
  - id: echo
    kind: tool
    mcp: {server: everything_http, tool: echo, arguments: {message: "{{inputs.text}}"}}
  - id: sum
    kind: tool
    mcp: {server: everything_http, tool: get-sum, arguments: {a: 40, b: 2}}
  - id: weather
    kind: tool
    mcp: {server: everything_http, tool: get-structured-content, arguments: {location: "New York"}}
output:
  echo: "{{steps.echo.output}}"
  sum: "{{steps.sum.output}}"
  weather: "{{steps.weather.output}}"
`,
  not_allowed: `name: not_allowed
steps:
  - id: sum
    kind: tool
    mcp: {server: narrow, tool: get-sum, arguments: {a: 1, b: 2}}
`,
  undeclared: `name: undeclared
steps:
  - id: first
    kind: tool
    mcp: {server: nowhere, tool: echo, arguments: {message: hi}}
`,
  unknown_tool: `name: unknown_tool
steps:
  - id: call
    kind: tool
    mcp: {server: everything_http, tool: no-such-tool}
`,
  tool_error: `name: tool_error
steps:
  - id: call
    kind: tool
    mcp: {server: everything, tool: echo, arguments: {not_message: 1}}
`,
  fan_out: `name: fan_out
inputs:
  words: {type: array}
steps:
  - id: each
    kind: map
    over: "{{inputs.words}}"
    concurrency: 3
    step:
      kind: tool
      mcp: {server: everything, tool: echo, arguments: {message: "{{index}}:{{item}}"}}
  - id: http_each
    kind: map
    over: "{{inputs.words}}"
    concurrency: 3
    step:
      kind: tool
      mcp: {server: everything_http, tool: echo, arguments: {message: "{{item}}"}}
output:
  stdio: "{{steps.each.output}}"
  http: "{{steps.http_each.output}}"
`,
};

// Starts the everything server's streamable HTTP transport on `port` (default: a free one).
async function startEverythingHttp(port) {
  port ??= Number(new URL(await closedPortUrl()).port);
  const child = spawn(process.execPath, [EVERYTHING, 'streamableHttp'], {
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`everything server did not start: ${stderr}`)), 15_000);
    child.stderr.on('data', (d) => {
      stderr += d;
      if (/listening on port/.test(stderr)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`everything server exited (${code}): ${stderr}`)));
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    port,
    url: `http://127.0.0.1:${port}/mcp`,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

// The processes the gateway started (its children, from /proc).
function childrenOf(pid) {
  const kids = [];
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    const text = fs.readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
    if (text) kids.push(...text.split(/\s+/).map(Number));
  }
  return kids;
}

describe('workflow tool steps on MCP servers', () => {
  let stack;
  let dir;
  let api;
  let everythingHttp;
  const auth = { authorization: 'Bearer sk-demo', 'content-type': 'application/json' };

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-e2e-mcp-'));
    fs.mkdirSync(path.join(dir, 'workflows'));
    for (const [name, text] of Object.entries(WORKFLOWS)) {
      fs.writeFileSync(path.join(dir, 'workflows', `${name}.yaml`), text);
    }
    everythingHttp = await startEverythingHttp();
    const demo = fs.readFileSync(path.resolve(E2E_DIR, '../../config/demo.yaml'), 'utf8');
    const config = path.join(dir, 'config.yaml');
    const stdio = (extra) => ({ transport: 'stdio', command: [process.execPath, EVERYTHING, 'stdio'], ...extra });
    const workflows = {
      dir: path.join(dir, 'workflows'),
      step_timeout_ms: 20_000,
      mcp_servers: {
        everything: stdio({
          env: { SY_MCP_MARKER: '${MCP_E2E_MARKER}' },
          tools: ['echo', 'get-sum', 'get-structured-content', 'get-env'],
        }),
        narrow: stdio({ tools: ['echo'], timeout: '10s' }),
        everything_http: { transport: 'http', url: everythingHttp.url, headers: { 'x-e2e': 'mcp' } },
      },
    };
    // JSON is YAML: the section is appended as one flow mapping.
    fs.writeFileSync(config, `${demo}\nworkflows: ${JSON.stringify(workflows)}\n`);
    stack = await startStack({
      config,
      env: { SWITCHYARD_ADMIN_KEY: ADMIN_KEY, MCP_E2E_MARKER: 'marker-42', SECRET_OF_THE_GATEWAY: 'x' },
    });
    api = stack.gateway.url;
  });
  after(async () => {
    await stack?.stop();
    await everythingHttp?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function submit(name, input = {}) {
    return fetch(`${api}/v1/workflows/${name}/runs`, { method: 'POST', headers: auth, body: JSON.stringify({ input }) });
  }

  async function run(name, input = {}) {
    const res = await submit(name, input);
    assert.equal(res.status, 201, await res.clone().text());
    const { id } = await res.json();
    const done = await waitFor(async () => {
      const r = await (await fetch(`${api}/v1/runs/${id}`, { headers: auth })).json();
      return r.status === 'succeeded' || r.status === 'failed' ? r : null;
    }, { timeoutMs: 30_000, intervalMs: 50 });
    assert.ok(done, `run ${id} of ${name} did not finish`);
    return done;
  }

  async function mcpAudits() {
    const res = await fetch(`${api}/admin/v1/audit?kind=admin&limit=1000`, {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    assert.equal(res.status, 200);
    return (await res.json()).records.filter((r) => r.action === 'workflow.tool.mcp');
  }

  test('a stdio server: text, a number kept as a number, structured content, its environment', async () => {
    const r = await run('tools_stdio', { text: 'hello mcp', a: 3 });
    assert.equal(r.status, 'succeeded', r.error);
    assert.equal(r.output.echo, 'Echo: hello mcp');
    assert.equal(r.output.sum, 'The sum of 3 and 2 is 5.');
    assert.deepEqual(r.output.weather, { temperature: 36, conditions: 'Light rain / drizzle', humidity: 82 });
    assert.equal(r.output.marker, 'marker-42');  // env, with ${ENV} expanded
    assert.equal(r.output.leaked.SECRET_OF_THE_GATEWAY, undefined);  // a minimal environment
    assert.equal(r.output.leaked.SWITCHYARD_ADMIN_KEY, undefined);
    const step = r.steps.find((s) => s.step === 'sum');
    assert.deepEqual(step.detail, { server: 'everything', tool: 'get-sum', status: 200 });
  });

  test('a streamable HTTP server, and its session reused by the next run', async () => {
    for (const text of ['over http', 'again']) {
      const r = await run('tools_http', { text });
      assert.equal(r.status, 'succeeded', r.error);
      assert.equal(r.output.echo, `Echo: ${text}`);
      assert.equal(r.output.sum, 'The sum of 40 and 2 is 42.');
      assert.deepEqual(r.output.weather, { temperature: 33, conditions: 'Cloudy', humidity: 82 });
    }
  });

  test('a tool off the allow-list fails the step and is audited as denied', async () => {
    const before = (await mcpAudits()).filter((a) => a.status === 403).length;
    const r = await run('not_allowed');
    assert.equal(r.status, 'failed');
    assert.match(r.error, /the tool "get-sum" is not allowed: it is not in workflows\.mcp_servers\.narrow\.tools/);
    const denied = await waitFor(async () => {
      const n = (await mcpAudits()).filter((a) => a.status === 403).length;
      return n > before ? n : null;
    });
    assert.ok(denied, 'no audit record of the denied call');
  });

  test('an undeclared server is refused at submit', async () => {
    const res = await submit('undeclared');
    assert.equal(res.status, 400);
    const body = await res.json();
    assert.match(body.error.message, /step first: the MCP server "nowhere" is not declared in workflows\.mcp_servers/);
    // The first 404 of this file (the unknown tool comes later).
    const audited = await waitFor(async () => (await mcpAudits()).find((a) => a.status === 404) ?? null);
    assert.ok(audited, 'no audit record of the refusal');
  });

  test('an unknown tool fails the step', async () => {
    const r = await run('unknown_tool');
    assert.equal(r.status, 'failed');
    assert.match(r.error, /the MCP server everything_http has no tool "no-such-tool"/);
  });

  test('a tool answering isError fails the step with its text', async () => {
    const r = await run('tool_error');
    assert.equal(r.status, 'failed');
    assert.match(r.error, /the MCP tool everything\/echo reported an error: .*Input validation error/);
    const step = r.steps.find((s) => s.step === 'call');
    assert.equal(step.status, 'failed');
  });

  test('a map step calls MCP tools with concurrency 3 over both transports', async () => {
    const words = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta'];
    const r = await run('fan_out', { words });
    assert.equal(r.status, 'succeeded', r.error);
    assert.deepEqual(r.output.stdio, words.map((w, i) => `Echo: ${i}:${w}`));
    assert.deepEqual(r.output.http, words.map((w) => `Echo: ${w}`));
  });

  test('a stdio server that died is started again, once, by the next call', async () => {
    const kids = childrenOf(stack.gateway.proc.pid);
    assert.equal(kids.length, 1, `the gateway should run one MCP server, runs ${kids}`);
    process.kill(kids[0], 'SIGKILL');
    await waitFor(() => !fs.existsSync(`/proc/${kids[0]}/status`) || /State:\s+Z/.test(fs.readFileSync(`/proc/${kids[0]}/status`, 'utf8')));
    const r = await run('tools_stdio', { text: 'after a crash', a: 1 });
    assert.equal(r.status, 'succeeded', r.error);
    assert.equal(r.output.echo, 'Echo: after a crash');
    const now = childrenOf(stack.gateway.proc.pid);
    assert.equal(now.length, 1);
    assert.notEqual(now[0], kids[0]);
  });

  test('an HTTP session the server forgot is initialized again', async () => {
    await everythingHttp.stop();
    everythingHttp = await startEverythingHttp(everythingHttp.port);  // same URL, no sessions
    const r = await run('tools_http', { text: 'new session' });
    assert.equal(r.status, 'succeeded', r.error);
    assert.equal(r.output.echo, 'Echo: new session');
  });

  test('every MCP call is an audit record', async () => {
    const audits = await mcpAudits();
    const ok = audits.filter((a) => a.status === 200);
    // tools_stdio 4 + tools_http 2×3 + tool_error 1 (isError answers are 200 with an error) + fan_out 14
    assert.ok(ok.length >= 25, `only ${ok.length} successful MCP audit records`);
    assert.ok(audits.some((a) => a.status === 404), 'no 404 (unknown tool or undeclared server)');
  });
});
