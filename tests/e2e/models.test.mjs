// GET /v1/models and /v1/models/{id} through the SDK: routes and deployments of the demo config.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import OpenAI from 'openai';

import { startStack } from './harness.mjs';

const ROUTES = ['auto', 'balanced', 'cascade', 'cheapest', 'code', 'embed', 'fast', 'quickest', 'reasoning', 'smart', 'standard'];
const DEPLOYMENTS = ['sim-code', 'sim-large', 'sim-small'];
// Embedding deployments, each owned by its provider.
const EMBEDDINGS = { 'embed-small': 'sim', 'embed-gemini': 'sim-gemini', 'embed-titan': 'sim-bedrock', 'embed-cohere': 'sim-bedrock' };

let stack;
let client;
before(async () => {
  stack = await startStack();
  client = stack.client();
});
after(() => stack?.stop());

describe('models', () => {
  test('list() contains every route and deployment exactly once', async () => {
    const ids = [];
    for await (const model of client.models.list()) {
      assert.equal(model.object, 'model');
      assert.equal(typeof model.owned_by, 'string');
      assert.equal(typeof model.created, 'number');
      ids.push(model.id);
    }
    assert.deepEqual([...ids].sort(), [...ROUTES, ...DEPLOYMENTS, ...Object.keys(EMBEDDINGS)].sort());
  });

  test('routes are owned by switchyard, deployments by their provider', async () => {
    const page = await client.models.list();
    const owner = Object.fromEntries(page.data.map((m) => [m.id, m.owned_by]));
    for (const r of ROUTES) assert.equal(owner[r], 'switchyard', r);
    for (const d of DEPLOYMENTS) assert.equal(owner[d], 'sim', d);
    for (const [d, provider] of Object.entries(EMBEDDINGS)) assert.equal(owner[d], provider, d);
  });

  test('retrieve() finds a route and a deployment', async () => {
    const auto = await client.models.retrieve('auto');
    assert.equal(auto.id, 'auto');
    assert.equal(auto.object, 'model');
    const large = await client.models.retrieve('sim-large');
    assert.equal(large.id, 'sim-large');
    assert.equal(large.owned_by, 'sim');
  });

  test('retrieve() of an unknown model is a 404 model_not_found', async () => {
    await assert.rejects(client.models.retrieve('gpt-nope'), (err) => {
      assert.ok(err instanceof OpenAI.NotFoundError, `${err}`);
      assert.equal(err.status, 404);
      assert.equal(err.code, 'model_not_found');
      return true;
    });
  });

  test('every listed model answers a request of its kind', async () => {
    const page = await client.models.list();
    const embedding = new Set([...Object.keys(EMBEDDINGS), 'embed']);
    for (const { id } of page.data) {
      if (embedding.has(id)) {
        const e = await client.embeddings.create({ model: id, input: 'ping' });
        assert.equal(e.data.length, 1, id);
        continue;
      }
      const data = await client.chat.completions.create({
        model: id,
        messages: [{ role: 'user', content: 'ping' }],
      });
      assert.equal(data.choices[0].message.content, 'pong', id);
    }
  });
});
