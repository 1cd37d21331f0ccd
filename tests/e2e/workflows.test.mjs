// Workflow runs over HTTP on `switchyard serve` (the demo config with a workflows
// directory): a run that waits for an approval, followed live on its SSE event stream,
// approved or rejected through the API; the API authenticates like the model API.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { E2E_DIR, startStack } from './harness.mjs';

const GATED = `name: gated
inputs:
  topic: {type: string}
steps:
  - id: draft
    kind: llm
    task: writing
    prompt: "Write one line about {{inputs.topic}}"
  - id: review
    kind: approval
    message: "Publish this line? {{steps.draft.output}}"
    timeout: 1h
  - id: publish
    kind: llm
    prompt: "Polish: {{steps.draft.output}} (note: {{steps.review.output.comment}})"
output:
  draft: "{{steps.draft.output}}"
  final: "{{steps.publish.output}}"
`;

// Reads server-sent events from a fetch response, one {id, event, data} at a time.
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
      if (fields.data) yield { id: Number(fields.id), event: fields.event, data: JSON.parse(fields.data) };
    }
  }
}

describe('workflow runs through the API', () => {
  let stack;
  let dir;
  let api;
  const auth = { authorization: 'Bearer sk-demo', 'content-type': 'application/json' };

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-e2e-wf-'));
    fs.mkdirSync(path.join(dir, 'workflows'));
    fs.writeFileSync(path.join(dir, 'workflows', 'gated.yaml'), GATED);
    const demo = fs.readFileSync(path.resolve(E2E_DIR, '../../config/demo.yaml'), 'utf8');
    const config = path.join(dir, 'config.yaml');
    fs.writeFileSync(config, `${demo}\nworkflows: {dir: "${path.join(dir, 'workflows')}"}\n`);
    stack = await startStack({ config });
    api = stack.gateway.url;
  });
  after(async () => {
    await stack?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function start(topic) {
    const res = await fetch(`${api}/v1/workflows/gated/runs`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ input: { topic } }),
    });
    assert.equal(res.status, 201, await res.clone().text());
    const run = await res.json();
    assert.equal(run.object, 'workflow.run');
    assert.equal(run.status, 'pending');
    assert.equal(run.principal.id, 'demo');
    return run.id;
  }

  function decide(id, decision, comment) {
    return fetch(`${api}/v1/runs/${id}/approvals`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ step: 'review', decision, comment }),
    });
  }

  test('the event stream follows a run live through its approval', async () => {
    const id = await start('rivers');
    const res = await fetch(`${api}/v1/runs/${id}/events`, { headers: auth });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /text\/event-stream/);
    const seen = [];
    let approved = false;
    for await (const e of sse(res)) {
      seen.push(e.event + (e.data.step ? `:${e.data.step}` : ''));
      assert.equal(e.data.run, id);
      if (seen.length > 1) assert.ok(e.id > 0);
      if (e.event === 'step.waiting') {
        assert.match(e.data.output.message, /^Publish this line\? /);
      }
      if (e.event === 'run.waiting' && !approved) {
        approved = true;
        const r = await decide(id, 'approve', 'looks good');
        assert.equal(r.status, 200, await r.text());
      }
      if (e.event === 'run.finished') {
        assert.equal(e.data.status, 'succeeded');
        assert.equal(typeof e.data.output.final, 'string');
      }
    }
    assert.deepEqual(seen, [
      'run.created', 'run.started', 'step.started:draft', 'step.finished:draft',
      'step.waiting:review', 'run.waiting:review', 'step.finished:review', 'run.started',
      'step.started:publish', 'step.finished:publish', 'run.finished',
    ]);

    const run = await (await fetch(`${api}/v1/runs/${id}`, { headers: auth })).json();
    assert.equal(run.status, 'succeeded');
    const review = run.steps.find((s) => s.step === 'review');
    assert.equal(review.output.comment, 'looks good');
    assert.equal(review.detail.by, 'key:demo');
  });

  test('a rejected run fails, and a decided step cannot be decided again', async () => {
    const id = await start('lakes');
    let run;
    for (let i = 0; i < 200; i++) {
      run = await (await fetch(`${api}/v1/runs/${id}`, { headers: auth })).json();
      if (run.status === 'waiting_approval') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(run.status, 'waiting_approval');
    assert.equal((await decide(id, 'maybe')).status, 400);
    assert.equal((await decide(id, 'reject', 'off topic')).status, 200);
    const again = await decide(id, 'approve');
    assert.equal(again.status, 409);
    assert.equal((await again.json()).error.code, 'not_waiting');
    for (let i = 0; i < 200; i++) {
      run = await (await fetch(`${api}/v1/runs/${id}`, { headers: auth })).json();
      if (run.status === 'failed') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(run.status, 'failed');
    assert.match(run.error, /rejected by key:demo: off topic/);
    // Replaying from the start ends with the run: the stream closes by itself.
    const events = await (await fetch(`${api}/v1/runs/${id}/events`, { headers: auth })).text();
    assert.match(events, /event: run\.finished\ndata: .*"status":"failed"/);
  });

  test('the API needs a key and answers errors in the OpenAI shape', async () => {
    const res = await fetch(`${api}/v1/workflows/gated/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"input":{"topic":"x"}}',
    });
    assert.equal(res.status, 401);
    assert.equal((await res.json()).error.type, 'authentication_error');
    const missing = await fetch(`${api}/v1/workflows/nope/runs`, { method: 'POST', headers: auth, body: '{}' });
    assert.equal(missing.status, 404);
    const bad = await fetch(`${api}/v1/workflows/gated/runs`, {
      method: 'POST',
      headers: auth,
      body: '{"input":{"topic":7}}',
    });
    assert.equal(bad.status, 400);
    assert.match((await bad.json()).error.message, /\/topic/);
  });
});
