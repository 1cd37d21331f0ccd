// Non-stream chat completions through routes and concrete deployments, with the gateway's
// response headers, and the plain HTTP endpoints.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { parseAttempts, startStack, user } from './harness.mjs';

let stack;
let client;
before(async () => {
  stack = await startStack();
  client = stack.client();
});
after(() => stack?.stop());

function assertCompletion(data, model) {
  assert.equal(data.object, 'chat.completion');
  assert.equal(data.model, model);
  assert.equal(data.choices.length, 1);
  const [choice] = data.choices;
  assert.equal(choice.message.role, 'assistant');
  assert.equal(choice.finish_reason, 'stop');
  assert.equal(typeof choice.message.content, 'string');
  assert.match(choice.message.content, /^[A-Z][a-z]+( [a-z]+)+\.$/);
  assert.ok(data.usage.prompt_tokens > 0, 'prompt_tokens');
  assert.ok(data.usage.completion_tokens > 0, 'completion_tokens');
  assert.equal(data.usage.total_tokens, data.usage.prompt_tokens + data.usage.completion_tokens);
}

describe('non-stream chat', () => {
  test('route standard is served by its first target, sim-small', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'standard', messages: user('Tell me about rivers.') })
      .withResponse();
    assert.equal(response.status, 200);
    assertCompletion(data, 'sim-small');
    assert.match(response.headers.get('x-request-id') ?? '', /\S{8,}/);
    assert.equal(response.headers.get('x-switchyard-deployment'), 'sim-small');
    assert.equal(
      response.headers.get('x-switchyard-route'),
      'route=standard; strategy=fallback; order=sim-small,sim-large',
    );
    assert.deepEqual(parseAttempts(response.headers.get('x-switchyard-attempts')), [
      ['sim-small', 'ok'],
    ]);
    // sim-small is configured with 16 output words in sim.yaml.
    assert.equal(data.usage.completion_tokens, 16);
    assert.equal(data.choices[0].message.content.split(' ').length, 16);
  });

  test('a concrete deployment is called directly', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'sim-large', messages: user('Tell me about rivers.') })
      .withResponse();
    assertCompletion(data, 'sim-large');
    assert.equal(response.headers.get('x-switchyard-deployment'), 'sim-large');
    assert.deepEqual(parseAttempts(response.headers.get('x-switchyard-attempts')), [
      ['sim-large', 'ok'],
    ]);
    assert.equal(data.usage.completion_tokens, 24); // sim-large: 24 output words
  });

  test('each route starts with its first target', async () => {
    const expected = { fast: 'sim-small', reasoning: 'sim-large', code: 'sim-code' };
    for (const [route, deployment] of Object.entries(expected)) {
      const { data, response } = await client.chat.completions
        .create({ model: route, messages: user(`Which model serves ${route}?`) })
        .withResponse();
      assert.equal(response.headers.get('x-switchyard-deployment'), deployment, route);
      assert.equal(data.model, deployment, route);
      const routeHeader = response.headers.get('x-switchyard-route') ?? '';
      assert.match(routeHeader, new RegExp(`^route=${route};`));
    }
  });

  test('the weighted route serves the first deployment of the order it drew', async () => {
    for (let i = 0; i < 8; i++) {
      const { data, response } = await client.chat.completions
        .create({ model: 'balanced', messages: user(`Balanced question ${i}`) })
        .withResponse();
      const served = response.headers.get('x-switchyard-deployment');
      const route = response.headers.get('x-switchyard-route') ?? '';
      const m = /^route=balanced; strategy=weighted; order=([\w-]+),([\w-]+)$/.exec(route);
      assert.ok(m, route);
      assert.deepEqual([m[1], m[2]].sort(), ['sim-large', 'sim-small']);
      assert.equal(served, m[1]);
      assert.equal(data.model, served);
    }
  });

  test('the weighted route spreads load about 3:1', async () => {
    const N = 200;
    let small = 0;
    for (let i = 0; i < N; i++) {
      const { response } = await client.chat.completions
        .create({ model: 'balanced', messages: user('ping') })
        .withResponse();
      if (response.headers.get('x-switchyard-deployment') === 'sim-small') small++;
    }
    // Expected 150 (sd about 6): the bounds are over 6 sd away, yet catch "uniform" (100) and
    // "always the first" (200).
    assert.ok(small > 110 && small < 190, `sim-small served ${small} of ${N}`);
  });

  test('the answer is deterministic and depends on the prompt', async () => {
    const ask = (text) =>
      client.chat.completions.create({ model: 'standard', messages: user(text) });
    const [a1, a2, b] = await Promise.all([ask('Same prompt'), ask('Same prompt'), ask('Other')]);
    assert.equal(a1.choices[0].message.content, a2.choices[0].message.content);
    assert.notEqual(a1.choices[0].message.content, b.choices[0].message.content);
  });

  test('max_tokens is passed upstream and cuts the answer', async () => {
    const data = await client.chat.completions.create({
      model: 'standard',
      messages: user('A long answer, please.'),
      max_tokens: 3,
    });
    assert.equal(data.choices[0].finish_reason, 'length');
    assert.equal(data.usage.completion_tokens, 3);
    assert.equal(data.choices[0].message.content.trim().split(' ').length, 3);
  });

  test('a scripted reply comes back verbatim', async () => {
    const data = await client.chat.completions.create({ model: 'fast', messages: user('ping') });
    assert.equal(data.choices[0].message.content, 'pong');
  });

  test('multi-turn conversations answer the last user message', async () => {
    const data = await client.chat.completions.create({
      model: 'standard',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Say something.' },
        { role: 'assistant', content: 'Something.' },
        { role: 'user', content: 'ping' },
      ],
    });
    assert.equal(data.choices[0].message.content, 'pong');
  });
});

describe('plain endpoints', () => {
  test('healthz and readyz answer 200 with a request id', async () => {
    for (const path of ['/healthz', '/readyz']) {
      const res = await fetch(`${stack.gateway.url}${path}`);
      assert.equal(res.status, 200, path);
      assert.ok(res.headers.get('x-request-id'), path);
      await res.json();
    }
  });

  test('request ids differ between requests', async () => {
    const ids = new Set();
    for (let i = 0; i < 5; i++) {
      const { response } = await client.chat.completions
        .create({ model: 'standard', messages: user('id check') })
        .withResponse();
      ids.add(response.headers.get('x-request-id'));
    }
    assert.equal(ids.size, 5);
  });
});
