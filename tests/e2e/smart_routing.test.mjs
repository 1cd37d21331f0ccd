// The router's judgement on the demo config, through the official openai SDK: `auto`
// follows the task type (the caller's x-switchyard-task hint, else the classifier), the
// `smart` threshold route sends hard prompts to the strong model by a calibrated
// threshold and obeys the quality knob, hints that rule out every candidate are a 400,
// and the `cascade` route escalates past an answer that fails its checks — whole and
// streamed — while the client sees only the answer that passed.

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

async function routed(model, prompt, headers = {}) {
  const { data, response } = await client.chat.completions
    .create({ model, messages: user(prompt) }, { headers })
    .withResponse();
  return {
    data,
    route: response.headers.get('x-switchyard-route'),
    deployment: response.headers.get('x-switchyard-deployment'),
    attempts: response.headers.get('x-switchyard-attempts'),
  };
}

describe('smart routing', () => {
  test('auto: a task hint picks the route', async () => {
    const r = await routed('auto', 'anything at all', { 'x-switchyard-task': 'code' });
    assert.equal(r.deployment, 'sim-code');
    assert.equal(r.route, 'route=auto>code; task=code; strategy=fallback; order=sim-code,sim-large');
  });

  test('auto: the classifier reads the prompt', async () => {
    const code = await routed(
      'auto',
      'Write a Python function that parses an ISO 8601 date string and returns a datetime, with unit tests.',
    );
    assert.match(code.route, /^route=auto>code; task=code; /);
    assert.equal(code.deployment, 'sim-code');
    const translation = await routed('auto', 'Translate into German: "The meeting moved to Thursday."');
    assert.match(translation.route, /^route=auto>standard; task=translation; /);
    assert.equal(translation.deployment, 'sim-small');
  });

  test('smart: p_cheap_ok against the calibrated threshold, and the quality knob', async () => {
    const prompt = 'Prove that there are infinitely many primes p such that p + 2 is also prime, or explain why this is open.';
    const r = await routed('smart', prompt);
    const m = r.route.match(/p_cheap_ok=([0-9.]+); threshold=([0-9.]+)/);
    assert.ok(m, r.route);
    const [p, t] = [Number(m[1]), Number(m[2])];
    assert.equal(r.deployment, p < t ? 'sim-large' : 'sim-small');
    // Knob 1: every request to the strong model; knob 0: none.
    assert.equal((await routed('smart', prompt, { 'x-switchyard-quality': '1' })).deployment, 'sim-large');
    assert.equal((await routed('smart', prompt, { 'x-switchyard-quality': '0' })).deployment, 'sim-small');
  });

  test('a malformed hint is a 400 naming the header', async () => {
    const err = await client.chat.completions
      .create({ model: 'auto', messages: user('hi') }, { headers: { 'x-switchyard-quality': 'lots' } })
      .catch((e) => e);
    assert.ok(err instanceof OpenAI.BadRequestError, String(err));
    assert.equal(err.code, 'invalid_routing_hint');
    assert.match(err.message, /x-switchyard-quality/);
  });

  test('a maximum cost no candidate meets is a 400 naming each removal', async () => {
    const err = await client.chat.completions
      .create(
        { model: 'standard', messages: user('hello'), max_tokens: 1000 },
        { headers: { 'x-switchyard-max-cost': '0.0000001' } },
      )
      .catch((e) => e);
    assert.ok(err instanceof OpenAI.BadRequestError, String(err));
    assert.equal(err.code, 'no_capable_deployment');
    assert.match(err.message, /sim-small removed by hint\.max_cost/);
    // A budget the small model fits: served by it, the large one removed.
    const r = await routed('cheapest', 'hello', { 'x-switchyard-max-cost': '0.001' });
    assert.equal(r.deployment, 'sim-small');
    assert.match(r.route, /removed=.*sim-large\(hint\.max_cost\)/);
  });

  test('cascade: a refusal from the cheap model escalates, unseen', async () => {
    const r = await routed('cascade', 'cascade refusal please');
    assert.equal(r.deployment, 'sim-large');
    assert.equal(r.attempts, 'sim-small=check_failed:not_refusal, sim-large=ok');
    assert.doesNotMatch(r.data.choices[0].message.content, /sorry/i);
  });

  test('cascade: an answer that fails the request\'s JSON schema escalates', async () => {
    const schema = {
      type: 'object',
      properties: { total: { type: 'number' }, currency: { type: 'string' } },
      required: ['total', 'currency'],
    };
    const { data, response } = await client.chat.completions
      .create({
        model: 'cascade',
        messages: user('cascade invoice: extract the total'),
        response_format: { type: 'json_schema', json_schema: { name: 'invoice', schema } },
      })
      .withResponse();
    assert.equal(response.headers.get('x-switchyard-deployment'), 'sim-large');
    assert.equal(response.headers.get('x-switchyard-attempts'), 'sim-small=check_failed:json_schema, sim-large=ok');
    assert.deepEqual(JSON.parse(data.choices[0].message.content), { total: 42, currency: 'EUR' });
    // A schema the validator cannot check is refused, not skipped.
    const err = await client.chat.completions
      .create({
        model: 'cascade',
        messages: user('cascade invoice'),
        response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object', unevaluatedProperties: false } } },
      })
      .catch((e) => e);
    assert.ok(err instanceof OpenAI.BadRequestError, String(err));
    assert.equal(err.code, 'unsupported_schema');
  });

  test('cascade: a streamed answer is held until checked', async () => {
    const stream = await client.chat.completions.create({
      model: 'cascade',
      messages: user('cascade refusal please, streamed'),
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    assert.ok(text.length > 0);
    assert.doesNotMatch(text, /sorry/i);
    // The cheap model's answer passes when it is not a refusal: served by sim-small.
    const ok = await routed('cascade', 'a perfectly ordinary question');
    assert.equal(ok.deployment, 'sim-small');
    assert.equal(ok.attempts, 'sim-small=ok');
  });
});
