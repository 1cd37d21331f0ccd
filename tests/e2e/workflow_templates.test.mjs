// The shipped workflow templates, end to end on `switchyard serve` (the demo config) and the
// simulator: EVERY template in workflows/ runs with its NAME.input.json and its output has
// the expected shape (a template without an input file, or without a shape check here,
// fails the suite); the financial analysis is approved, and once rejected, through
// `switchyard runs`. Then cancellation: through the API while a run waits for an approval
// (followed on its event stream) and while an llm step waits on its model call, and
// through `switchyard runs cancel`; and the CLI's errors and exit codes.

import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { BIN_DIR, E2E_DIR, closedPortUrl, startStack, waitFor } from './harness.mjs';

const WORKFLOWS = path.resolve(E2E_DIR, '../../workflows');
const KEY = 'sk-demo';
const auth = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };

const templates = fs
  .readdirSync(WORKFLOWS)
  .filter((f) => /\.ya?ml$/.test(f))
  .map((f) => f.replace(/\.ya?ml$/, ''))
  .sort();

const isText = (v) => typeof v === 'string' && v.length > 0;
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

// What each template's output must look like on the simulator. A new template needs an
// entry here (and an input file): the first test says so.
const SHAPES = {
  document_extraction(out) {
    assert.ok(isText(out.fields.title));
    assert.ok(Array.isArray(out.fields.parties));
    assert.ok(isText(out.summary));
    assert.ok(isText(out.brief));
  },
  code_review(out, run) {
    assert.ok(Array.isArray(out.files) && out.files.length >= 1);
    for (const f of out.files) {
      assert.ok(isText(f.path));
      assert.ok(['added', 'modified', 'deleted', 'renamed'].includes(f.change));
    }
    assert.equal(out.reviews.length, out.files.length); // one review per file, in order
    for (const r of out.reviews) {
      assert.ok(['none', 'minor', 'major', 'critical'].includes(r.severity));
      assert.ok(Array.isArray(r.findings));
    }
    assert.ok(['none', 'minor', 'major', 'critical'].includes(out.verdict.severity));
    assert.ok(['approve', 'comment', 'request_changes'].includes(out.verdict.decision));
    const escalated = ['critical', 'major'].includes(out.verdict.severity);
    assert.equal(isText(out.escalation), escalated, JSON.stringify(out.verdict));
    assert.equal(step(run, 'escalate').status, escalated ? 'succeeded' : 'skipped');
    assert.ok(isText(out.summary));
    // The review items went to the code route's model, the file list to the standard one.
    for (const s of run.steps.filter((x) => x.step === 'review' && x.item !== undefined)) {
      assert.equal(s.detail.calls[0].deployment, 'sim-code', JSON.stringify(s));
    }
    assert.equal(step(run, 'files').detail.calls[0].deployment, 'sim-small');
  },
  support_triage(out, run) {
    const c = out.classification;
    assert.ok(['billing', 'technical', 'account', 'feature_request', 'complaint', 'other'].includes(c.category));
    assert.ok(['low', 'normal', 'high', 'critical'].includes(c.urgency));
    assert.ok(['positive', 'neutral', 'negative', 'angry'].includes(c.sentiment));
    const branch = { technical: 'diagnose', complaint: 'escalate' }[c.category] ?? 'reply';
    assert.equal(out.route, branch);
    if (branch === 'diagnose') {
      assert.ok(isText(out.diagnosis.likely_cause));
      assert.ok(isText(out.technical_reply));
    } else if (branch === 'escalate') {
      assert.ok(isText(out.escalation));
    } else {
      assert.ok(isText(out.reply));
    }
    const ran = run.steps.filter((s) => s.status === 'succeeded').map((s) => s.step);
    for (const other of ['diagnose', 'escalate', 'reply'].filter((b) => b !== branch)) {
      assert.ok(!ran.includes(other), `${other} ran on the ${branch} branch`);
    }
  },
  financial_analysis(out, run) {
    for (const k of ['revenue', 'net_income', 'total_assets', 'total_liabilities', 'current_liabilities']) {
      assert.equal(typeof out.figures[k], 'number', k);
    }
    for (const k of ['net_margin', 'current_ratio', 'debt_to_equity', 'return_on_equity', 'return_on_assets']) {
      assert.equal(typeof out.ratios[k], 'number', k);
    }
    assert.ok(['strong', 'stable', 'watch', 'distressed'].includes(out.assessment.rating));
    assert.equal(out.approval.approved, true);
    assert.equal(out.approval.by, 'key:demo');
    assert.equal(out.approval.comment, 'figures checked');
    assert.ok(isText(out.report));
    assert.equal(step(run, 'approve').detail.decision, 'approve');
  },
};

function step(run, id) {
  return run.steps.find((s) => s.step === id && s.item === undefined);
}

// Runs `switchyard ARGS`; resolves {code, stdout, stderr} whatever the exit status.
function cli(args, env = {}) {
  return new Promise((resolve) => {
    execFile(
      path.join(BIN_DIR, 'switchyard'),
      args,
      { env: { ...process.env, SWITCHYARD_API_KEY: '', ...env }, timeout: 30_000 },
      (err, stdout, stderr) => resolve({ code: err ? err.code : 0, stdout, stderr }),
    );
  });
}

// Reads server-sent events from a fetch response, one {event, data} at a time.
async function* sse(res) {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of res.body) {
    buffer += decoder.decode(chunk, { stream: true });
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const fields = {};
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        fields[line.slice(0, colon)] = line.slice(colon + 1).trimStart();
      }
      if (fields.data) yield { event: fields.event, data: JSON.parse(fields.data) };
    }
  }
}

describe('the shipped workflow templates', () => {
  let stack;
  let dir;
  let api;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-e2e-templates-'));
    const demo = fs.readFileSync(path.resolve(E2E_DIR, '../../config/demo.yaml'), 'utf8');
    const config = path.join(dir, 'config.yaml');
    fs.writeFileSync(config, `${demo}\nworkflows: {dir: "${WORKFLOWS}"}\n`);
    stack = await startStack({ config });
    api = stack.gateway.url;
  });
  after(async () => {
    await stack?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function get(id) {
    const res = await fetch(`${api}/v1/runs/${id}`, { headers: auth });
    assert.equal(res.status, 200);
    return res.json();
  }
  // Polls the run until `done(run)`; returns the run.
  async function until(id, done, timeoutMs = 20_000) {
    let run;
    await waitFor(async () => done((run = await get(id))), { timeoutMs, intervalMs: 50 });
    return run;
  }
  const ended = (r) => ['succeeded', 'failed', 'cancelled'].includes(r.status);
  const stopped = (r) => ended(r) || r.status === 'waiting_approval';

  async function start(name, input, workflow) {
    const body = workflow ? { input, workflow } : { input };
    const res = await fetch(`${api}/v1/workflows/${name}/runs`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify(body),
    });
    assert.equal(res.status, 201, await res.clone().text());
    return (await res.json()).id;
  }
  const inputOf = (name) => JSON.parse(fs.readFileSync(path.join(WORKFLOWS, `${name}.input.json`), 'utf8'));

  test('every template has an input file and a shape check', () => {
    assert.ok(templates.length >= 4, templates.join(', '));
    for (const name of templates) {
      assert.ok(fs.existsSync(path.join(WORKFLOWS, `${name}.input.json`)), `workflows/${name}.input.json is missing`);
      assert.equal(typeof SHAPES[name], 'function', `no output shape check for template ${name}`);
    }
  });

  for (const name of templates) {
    test(`template ${name} runs end to end`, async () => {
      const id = await start(name, inputOf(name));
      let run = await until(id, stopped);
      if (run.status === 'waiting_approval') {
        const r = await cli(['runs', 'approve', id, '--gateway', api, '--key', KEY, '-m', 'figures checked']);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, new RegExp(`run ${id}: step \\w+ approved`));
        run = await until(id, ended);
      }
      assert.equal(run.status, 'succeeded', JSON.stringify(run, null, 2));
      SHAPES[name](run.output, run);
    });
  }

  test('a rejected financial analysis fails; the CLI reports what it cannot do', async () => {
    const id = await start('financial_analysis', inputOf('financial_analysis'));
    let run = await until(id, stopped);
    assert.equal(run.status, 'waiting_approval');
    const shown = await cli(['runs', 'show', id, '--gateway', api, '--key', KEY]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /approve: waiting — Publish the FY2024 analysis of Northwind Traders Ltd\.\?/);

    const rejected = await cli(['runs', 'reject', id, '-g', api, '-k', KEY, '-m', 'not before the audit']);
    assert.equal(rejected.code, 0, rejected.stderr);
    run = await until(id, ended);
    assert.equal(run.status, 'failed');
    assert.match(run.error, /rejected by key:demo: not before the audit/);
    assert.equal(step(run, 'report'), undefined);

    // Refusals exit 1 with the gateway's message; no gateway at all exits 2.
    const again = await cli(['runs', 'approve', id, '-g', api, '-k', KEY]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /is failed, not waiting for an approval/);
    const ended409 = await cli(['runs', 'cancel', id, '-g', api, '-k', KEY]);
    assert.equal(ended409.code, 1);
    assert.match(ended409.stderr, /HTTP 409: run \S+ has ended \(failed\)/);
    const unknown = await cli(['runs', 'show', 'run_nope', '-g', api, '-k', KEY]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /HTTP 404/);
    const noKey = await cli(['runs', 'show', id, '-g', api]);
    assert.equal(noKey.code, 1);
    assert.match(noKey.stderr, /HTTP 401/);
    const nobody = await cli(['runs', 'list', '-g', await closedPortUrl(), '-k', KEY]);
    assert.equal(nobody.code, 2);

    const listed = await cli(['runs', 'list', '--status', 'failed', '--json', '-g', api], { SWITCHYARD_API_KEY: KEY });
    assert.equal(listed.code, 0, listed.stderr);
    const list = JSON.parse(listed.stdout);
    assert.equal(list.object, 'list');
    assert.ok(list.data.some((r) => r.id === id && r.status === 'failed'));
    assert.ok(list.data.every((r) => r.status === 'failed'));
  });

  test('cancelling a run that waits for an approval ends its event stream', async () => {
    const id = await start('financial_analysis', inputOf('financial_analysis'));
    const res = await fetch(`${api}/v1/runs/${id}/events`, { headers: auth });
    assert.equal(res.status, 200);
    const seen = [];
    for await (const e of sse(res)) {
      seen.push(`${e.event}${e.data.step ? `:${e.data.step}` : ''}`);
      if (e.event === 'run.waiting') {
        const r = await fetch(`${api}/v1/runs/${id}/cancel`, {
          method: 'POST',
          headers: auth,
          body: JSON.stringify({ comment: 'wrong period' }),
        });
        assert.equal(r.status, 200, await r.clone().text());
        assert.equal((await r.json()).status, 'cancelled');
      }
      if (e.event === 'run.finished') {
        assert.equal(e.data.status, 'cancelled');
        assert.equal(e.data.error, 'cancelled by key:demo: wrong period');
      }
    }
    assert.deepEqual(seen.slice(-3), ['run.waiting:approve', 'step.cancelled:approve', 'run.finished']);
    const run = await get(id);
    assert.equal(run.status, 'cancelled');
    assert.equal(step(run, 'approve').status, 'cancelled');
    const late = await fetch(`${api}/v1/runs/${id}/approvals`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ step: 'approve', decision: 'approve' }),
    });
    assert.equal(late.status, 409);
    const twice = await fetch(`${api}/v1/runs/${id}/cancel`, { method: 'POST', headers: auth });
    assert.equal(twice.status, 409);
    assert.equal((await twice.json()).error.code, 'already_finished');
    const missing = await fetch(`${api}/v1/runs/run_nope/cancel`, { method: 'POST', headers: auth });
    assert.equal(missing.status, 404);
  });

  // A model call the simulator answers only after 8 s, then a step that must never run.
  const SLOW = `name: slow
steps:
  - id: think
    kind: llm
    task: chat
    prompt: "take your time [[sim:delay_ms=8000]]"
  - id: after
    kind: llm
    prompt: "after {{steps.think.output}}"
`;

  async function startSlow() {
    const id = await start('slow', {}, SLOW);
    const run = await until(id, (r) => step(r, 'think')?.status === 'running');
    assert.equal(step(run, 'think').status, 'running');
    return id;
  }

  test('cancelling a run mid-llm-step abandons its call', async () => {
    const id = await startSlow();
    const r = await fetch(`${api}/v1/runs/${id}/cancel`, { method: 'POST', headers: auth, body: '' });
    assert.equal(r.status, 200, await r.clone().text());
    const run = await get(id);
    assert.equal(run.status, 'cancelled');
    assert.equal(step(run, 'think').status, 'cancelled');
    // The engine let go of the run: it never reaches the next step.
    const again = await until(id, (x) => x.steps.some((s) => s.step === 'after'), 1_000);
    assert.equal(step(again, 'after'), undefined);
    assert.equal(again.status, 'cancelled');
  });

  test('switchyard runs cancel cancels a running run', async () => {
    const id = await startSlow();
    const r = await cli(['runs', 'cancel', id, '-g', api, '-k', KEY, '-m', 'taking too long']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), `run ${id} cancelled`);
    const run = await get(id);
    assert.equal(run.status, 'cancelled');
    assert.equal(run.error, 'cancelled by key:demo: taking too long');
  });

  test('Ctrl-C on `switchyard run --gateway` cancels its run', async () => {
    const file = path.join(dir, 'slow.yaml');
    fs.writeFileSync(file, SLOW);
    const child = spawn(path.join(BIN_DIR, 'switchyard'), ['run', file, '--gateway', api, '--key', KEY], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    let stderr = '';
    child.stderr.setEncoding('utf8');
    const started = new Promise((resolve) => {
      child.stderr.on('data', (text) => {
        stderr += text;
        const m = stderr.match(/run (\S+) \(slow\) started/);
        if (m) resolve(m[1]);
      });
    });
    const id = await started;
    await until(id, (r) => step(r, 'think')?.status === 'running');
    child.kill('SIGINT');
    assert.equal(await exited, 130, stderr);
    assert.match(stderr, new RegExp(`run ${id} cancelled`));
    const run = await get(id);
    assert.equal(run.status, 'cancelled');
    assert.equal(run.error, 'cancelled by key:demo: interrupted (Ctrl-C)');
  });
});
