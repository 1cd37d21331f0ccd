// Routing on the demo config: strategies (cheapest, latency), filters on what a request
// needs (images, context size) and health (a deployment that keeps failing is taken out
// and the route is served by the next one), each explained in x-switchyard-route.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import OpenAI from 'openai';

import { startStack, user } from './harness.mjs';

let stack;
let client;
before(async () => {
  stack = await startStack();
  client = stack.client();
});
after(() => stack?.stop());

const IMAGE = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

describe('routing', () => {
  test('cheapest: the deployment with the lowest expected cost leads', async () => {
    const { response } = await client.chat.completions
      .create({ model: 'cheapest', messages: user('hello') })
      .withResponse();
    assert.equal(response.headers.get('x-switchyard-deployment'), 'sim-small');
    assert.equal(
      response.headers.get('x-switchyard-route'),
      'route=cheapest; strategy=cheapest; order=sim-small,sim-code,sim-large',
    );
  });

  test('latency: every deployment gets measured, then the route is served', async () => {
    const served = new Set();
    for (let i = 0; i < 6; i++) {
      const { response } = await client.chat.completions
        .create({ model: 'quickest', messages: user(`hi ${i}`) })
        .withResponse();
      assert.match(response.headers.get('x-switchyard-route'), /^route=quickest; strategy=latency; order=/);
      served.add(response.headers.get('x-switchyard-deployment'));
    }
    assert.ok(served.size >= 1);
  });

  test('an image removes the deployment without vision, and says so', async () => {
    const { response } = await client.chat.completions
      .create({
        model: 'code',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is in this picture?' },
              { type: 'image_url', image_url: { url: IMAGE } },
            ],
          },
        ],
      })
      .withResponse();
    assert.equal(response.headers.get('x-switchyard-deployment'), 'sim-large');
    assert.match(response.headers.get('x-switchyard-route'), /removed=sim-code\(capability:vision\)/);
  });

  test('a request no deployment can hold is a 400 naming the constraint', async () => {
    const err = await client.chat.completions
      .create({ model: 'sim-small', max_tokens: 20000, messages: user('hello') })
      .then(() => null, (e) => e);
    assert.ok(err instanceof OpenAI.BadRequestError, String(err));
    assert.equal(err.code, 'no_capable_deployment');
    assert.match(err.message, /context_window/);
    assert.match(err.message, /16384/);
  });

  test('a deployment that keeps failing is taken out of its routes by its breaker', async () => {
    // sim-small fails on every request of this prompt; each request falls back to
    // sim-large. After enough failures on a worker, that worker's breaker opens and
    // routes it straight to sim-large, naming the constraint.
    // Each worker thread (one per core) has its own breakers, and connections spread over
    // them: allow enough requests for one worker's breaker to open on a many-core machine.
    let removed = 0;
    for (let i = 0; i < 200 && removed < 2; i++) {
      const { response } = await client.chat.completions
        .create({ model: 'standard', messages: user(`Keep failing [[sim:status=500 model=sim-small]] ${i}`) })
        .withResponse();
      assert.equal(response.headers.get('x-switchyard-deployment'), 'sim-large');
      if (/removed=sim-small\(health\)/.test(response.headers.get('x-switchyard-route'))) {
        removed++;
        assert.equal(response.headers.get('x-switchyard-attempts'), 'sim-large=ok');
      }
    }
    assert.ok(removed >= 2, 'the breaker opened on some worker and kept sim-small out');
  });
});
