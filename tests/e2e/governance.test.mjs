// Governance through the official SDK: keys (401), DLP + policies (403, restricted
// candidates with the removal explained), and a hard budget under concurrency.

import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';

import OpenAI from 'openai';

import { startStack, user } from './harness.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CARD = 'Charge card 4111 1111 1111 1111 for the order.';
const SECRET = 'Deploy with key sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH please.';

async function rejection(promise) {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  assert.fail('the request succeeded');
}

describe('governance on the demo config', () => {
  let stack;
  before(async () => {
    stack = await startStack();
  });
  after(() => stack?.stop());

  test('a request without a key, or with an unknown one, gets a 401', async () => {
    // The SDK will not send a request without a key: without one, plain fetch.
    const res = await fetch(`${stack.gateway.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'standard', messages: user('hi') }),
    });
    assert.equal(res.status, 401);
    assert.equal((await res.json()).error.type, 'authentication_error');
    const err = await rejection(
      stack
        .client({ apiKey: 'sk-not-a-switchyard-key' })
        .chat.completions.create({ model: 'standard', messages: user('hi') }),
    );
    assert.ok(err instanceof OpenAI.AuthenticationError, String(err));
    assert.equal(err.status, 401);
  });

  test('a prompt carrying a secret is denied by the policy that names it', async () => {
    const err = await rejection(
      stack.client().chat.completions.create({ model: 'standard', messages: user(SECRET) }),
    );
    assert.ok(err instanceof OpenAI.PermissionDeniedError, String(err));
    assert.equal(err.code, 'policy_denied');
    assert.match(err.message, /no-secrets/);
    assert.equal((await stack.sim.stats()).total, 0, 'nothing reached a provider');
  });

  test('a card number keeps the request on on-premises models, and says why', async () => {
    const { data, response } = await stack
      .client()
      .chat.completions.create({ model: 'reasoning', max_tokens: 8, messages: user(CARD) })
      .withResponse();
    assert.ok(data.choices[0].message.content);
    // The reasoning route prefers sim-large (cloud); the policy removed it.
    assert.equal(response.headers.get('x-switchyard-deployment'), 'sim-small');
    assert.match(
      response.headers.get('x-switchyard-route'),
      /removed=sim-large\(policy:financial-pii-on-prem\)/,
    );
  });

  test('an e-mail address reaches the provider masked and comes back in the answer', async () => {
    const data = await stack.client().chat.completions.create({
      model: 'standard',
      messages: user('Please write to jane.doe@example.com about the invoice.'),
    });
    // The simulator answers this way only when it was sent the placeholder.
    assert.equal(data.choices[0].message.content, 'I will write to jane.doe@example.com today.');
  });

  test('a streamed answer gets the masked value back, even split across deltas', async () => {
    const stream = await stack.client().chat.completions.create({
      model: 'standard',
      stream: true,
      messages: user('Please write to jane.doe@example.com about the invoice.'),
    });
    const deltas = [];
    for await (const chunk of stream) {
      const d = chunk.choices[0]?.delta?.content;
      if (d) deltas.push(d);
    }
    assert.ok(deltas.length > 1, 'the answer came in several deltas');
    assert.equal(deltas.join(''), 'I will write to jane.doe@example.com today.');
    assert.ok(!deltas.join('').includes('[EMAIL'), 'no placeholder reached the client');
  });

  test('the Anthropic API gets the masked value back too, streamed', async () => {
    const stream = stack.anthropic().messages.stream({
      model: 'standard',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Please write to jane.doe@example.com about the invoice.' }],
    });
    const final = await stream.finalMessage();
    assert.equal(final.content[0].text, 'I will write to jane.doe@example.com today.');
  });

  test('asking a removed deployment by name gets a 403 naming the constraint', async () => {
    const err = await rejection(
      stack.client().chat.completions.create({ model: 'sim-large', messages: user(CARD) }),
    );
    assert.ok(err instanceof OpenAI.PermissionDeniedError, String(err));
    assert.equal(err.code, 'no_allowed_deployment');
    assert.match(err.message, /policy:financial-pii-on-prem/);
  });
});

describe('a hard budget under concurrency', () => {
  let stack;
  before(async () => {
    stack = await startStack({ config: path.join(HERE, 'budget.yaml') });
  });
  after(() => stack?.stop());

  test('200 concurrent requests never jointly overspend $0.25', async () => {
    const client = stack.client({ apiKey: 'sk-budget' });
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) =>
        client.chat.completions.create({
          model: 'sim-small',
          max_tokens: 16,
          messages: user(`budget test ${i}`),
        }),
      ),
    );
    const ok = results.filter((r) => r.status === 'fulfilled').map((r) => r.value);
    const refused = results.filter((r) => r.status === 'rejected').map((r) => r.reason);
    // $1000 per million tokens, input and output alike.
    const spent = ok.reduce(
      (sum, d) => sum + ((d.usage.prompt_tokens + d.usage.completion_tokens) * 1000) / 1e6,
      0,
    );
    assert.ok(ok.length > 0, 'some requests fit in the budget');
    assert.ok(refused.length > 0, 'the budget refused the rest');
    assert.ok(spent <= 0.25 + 1e-9, `spent ${spent} over the $0.25 limit with ${ok.length} answers`);
    for (const err of refused) {
      assert.equal(err.status, 429, String(err));
      assert.equal(err.code, 'budget_exceeded', String(err));
      assert.match(err.message, /t1-total/);
    }
  });
});
