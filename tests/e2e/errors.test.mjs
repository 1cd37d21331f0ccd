// Errors as the SDK sees them: the OpenAI error envelope and status for client mistakes, for
// routes whose every deployment failed, and for a stream that breaks after its first bytes.

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';

import OpenAI from 'openai';

import { parseAttempts, startStack, streamedText, user } from './harness.mjs';

let stack;
let client;
before(async () => {
  stack = await startStack({ health: false });
  client = stack.client();
});
after(() => stack?.stop());
beforeEach(() => stack.sim.reset());

// Asserts that `promise` rejects with an SDK error of class `type` and `status`; returns it.
async function expectError(promise, type, status) {
  let caught;
  await assert.rejects(promise, (err) => {
    caught = err;
    return true;
  });
  assert.ok(caught instanceof type, `expected ${type.name}, got ${caught}`);
  assert.equal(caught.status, status);
  return caught;
}

describe('client errors', () => {
  test('unknown model: NotFoundError 404 model_not_found', async () => {
    const err = await expectError(
      client.chat.completions.create({ model: 'no-such-model', messages: user('hi') }),
      OpenAI.NotFoundError,
      404,
    );
    assert.equal(err.code, 'model_not_found');
    assert.equal(err.type, 'invalid_request_error');
    assert.match(err.message, /no-such-model/);
    assert.ok(err.requestID, 'x-request-id on errors too');
    assert.deepEqual(await stack.sim.stats().then((s) => s.total), 0, 'nothing sent upstream');
  });

  test('unknown model in a stream request fails before streaming', async () => {
    const err = await expectError(
      client.chat.completions.create({
        model: 'no-such-model',
        messages: user('hi'),
        stream: true,
      }),
      OpenAI.NotFoundError,
      404,
    );
    assert.equal(err.code, 'model_not_found');
  });

  test('messages as a string: BadRequestError 400 naming messages', async () => {
    const err = await expectError(
      client.chat.completions.create({ model: 'standard', messages: 'hello' }),
      OpenAI.BadRequestError,
      400,
    );
    assert.equal(err.param, 'messages');
    assert.equal(err.type, 'invalid_request_error');
  });

  test('temperature as a string: BadRequestError 400 naming temperature', async () => {
    const err = await expectError(
      client.chat.completions.create({ model: 'standard', messages: user('hi'), temperature: 'warm' }),
      OpenAI.BadRequestError,
      400,
    );
    assert.equal(err.param, 'temperature');
  });

  test('a wrongly typed field inside a message names its path', async () => {
    const err = await expectError(
      client.chat.completions.create({ model: 'standard', messages: [{ role: 'user', content: 42 }] }),
      OpenAI.BadRequestError,
      400,
    );
    assert.equal(err.param, 'messages[0].content');
  });

  test('stream_options.include_usage as a string is rejected', async () => {
    const err = await expectError(
      client.chat.completions.create({
        model: 'standard',
        messages: user('hi'),
        stream: true,
        stream_options: { include_usage: 'yes' },
      }),
      OpenAI.BadRequestError,
      400,
    );
    assert.equal(err.param, 'stream_options.include_usage');
  });

  test('a body that is not JSON gets the OpenAI envelope', async () => {
    const res = await fetch(`${stack.gateway.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-demo' },
      body: '{"model": "standard", "messages": [',
    });
    assert.equal(res.status, 400);
    const body = await res.json();
    assert.equal(typeof body.error.message, 'string');
    assert.equal(body.error.type, 'invalid_request_error');
    assert.ok('param' in body.error && 'code' in body.error);
  });

  test(
    'a body over server.max_body_bytes (10 MiB) gets a readable 413',
    async () => {
      const content = 'x'.repeat(11 << 20);
      for (let i = 0; i < 3; i++) {
        const err = await client.chat.completions
          .create({ model: 'standard', messages: user(content) })
          .then(() => assert.fail('an 11 MiB body was accepted'), (e) => e);
        assert.ok(err instanceof OpenAI.APIError, `${err}`);
        assert.equal(err.status, 413, `attempt ${i + 1}: ${err.constructor.name}: ${err.message}`);
        assert.equal(err.type, 'invalid_request_error');
      }
      assert.equal((await stack.sim.stats()).total, 0);
    },
  );

  test('invalid requests never reach the provider', async () => {
    await client.chat.completions
      .create({ model: 'standard', messages: 'hello' })
      .catch(() => undefined);
    await client.chat.completions
      .create({ model: 'standard', messages: user('hi'), temperature: 'warm' })
      .catch(() => undefined);
    assert.equal((await stack.sim.stats()).total, 0);
  });

  test('an upstream 400 is the client’s fault: passed through, no fallback', async () => {
    const err = await expectError(
      client.chat.completions.create({
        model: 'standard',
        messages: user('bad [[sim:status=400 model=sim-small]]'),
      }),
      OpenAI.BadRequestError,
      400,
    );
    assert.deepEqual(parseAttempts(err.headers.get('x-switchyard-attempts')), [
      ['sim-small', '400'],
    ]);
    const stats = await stack.sim.stats();
    assert.deepEqual(stats.requests, { 'sim-small': 1 });
  });
});

describe('every deployment failing', () => {
  test('503 everywhere: 502 from the gateway after trying each target', async () => {
    const err = await expectError(
      client.chat.completions.create({ model: 'standard', messages: user('down [[sim:status=503]]') }),
      OpenAI.InternalServerError,
      502,
    );
    assert.deepEqual(parseAttempts(err.headers.get('x-switchyard-attempts')), [
      ['sim-small', '503'],
      ['sim-large', '503'],
    ]);
    assert.equal(err.headers.get('x-switchyard-deployment'), null);
    assert.equal(typeof err.error.message, 'string');
    const stats = await stack.sim.stats();
    assert.deepEqual(stats.requests, { 'sim-small': 1, 'sim-large': 1 });
  });

  test('503 everywhere in a stream request: 502 before any byte is streamed', async () => {
    await expectError(
      client.chat.completions.create({
        model: 'standard',
        messages: user('down [[sim:status=503]]'),
        stream: true,
      }),
      OpenAI.InternalServerError,
      502,
    );
  });

  test('429 everywhere: 429 with retry-after', async () => {
    const err = await expectError(
      client.chat.completions.create({
        model: 'standard',
        messages: user('busy [[sim:status=429 retry_after=1]]'),
      }),
      OpenAI.RateLimitError,
      429,
    );
    assert.ok(err.headers.get('retry-after'), 'retry-after header');
    assert.ok(Number(err.headers.get('retry-after')) >= 0);
    assert.deepEqual(parseAttempts(err.headers.get('x-switchyard-attempts')), [
      ['sim-small', '429'],
      ['sim-large', '429'],
    ]);
  });
});

describe('a stream cut after its first bytes', () => {
  test('the SDK surfaces an error instead of a silently truncated answer', async () => {
    // times=1: only the first request is cut, so the second one shows the whole answer.
    const prompt = 'Tell a story [[sim:cut_after=2 times=1]]';
    const stream = await client.chat.completions.create({
      model: 'standard',
      messages: user(prompt),
      stream: true,
    });
    const chunks = [];
    let caught;
    try {
      for await (const chunk of stream) chunks.push(chunk);
    } catch (err) {
      caught = err;
    }
    assert.ok(caught, `no error after ${chunks.length} chunks: a truncated stream looked complete`);
    assert.ok(caught instanceof OpenAI.APIError, `${caught}`);
    assert.ok(chunks.length >= 1, 'the first bytes arrived before the cut');
    assert.ok(!chunks.some((c) => c.choices[0]?.finish_reason), 'no finish_reason was sent');

    const whole = await client.chat.completions.create({ model: 'standard', messages: user(prompt) });
    const full = whole.choices[0].message.content;
    const partial = streamedText(chunks);
    assert.ok(full.startsWith(partial), `"${partial}" is not a prefix of "${full}"`);
    assert.ok(partial.length < full.length);
    // Once streaming started the gateway cannot fall back: sim-large was never asked.
    assert.equal((await stack.sim.stats()).requests['sim-large'] ?? 0, 0);
  });
});
