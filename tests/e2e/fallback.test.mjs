// Fallback between the deployments of a route when an upstream fails before answering.

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';

import OpenAI from 'openai';

import { collect, parseAttempts, startStack, streamedText, user } from './harness.mjs';

let stack;
let client;
before(async () => {
  stack = await startStack({ health: false });
  client = stack.client();
});
after(() => stack?.stop());
beforeEach(() => stack.sim.reset());

// The answer sim-large gives for `text` when nothing fails (the directives in `text` only
// target sim-small, and the simulator's output depends on model and prompt only).
async function largeAnswer(text) {
  const data = await client.chat.completions.create({ model: 'sim-large', messages: user(text) });
  return data.choices[0].message.content;
}

describe('fallback', () => {
  test('503 from sim-small: standard is served by sim-large', async () => {
    const prompt = 'Fall back please [[sim:status=503 model=sim-small]]';
    const { data, response } = await client.chat.completions
      .create({ model: 'standard', messages: user(prompt) })
      .withResponse();
    assert.equal(response.status, 200);
    assert.equal(data.model, 'sim-large');
    assert.equal(response.headers.get('x-switchyard-deployment'), 'sim-large');
    assert.deepEqual(parseAttempts(response.headers.get('x-switchyard-attempts')), [
      ['sim-small', '503'],
      ['sim-large', 'ok'],
    ]);
    assert.deepEqual((await stack.sim.stats()).requests, { 'sim-small': 1, 'sim-large': 1 });
    assert.equal(data.choices[0].message.content, await largeAnswer(prompt));
  });

  test('503 from sim-small in a stream: the stream comes from sim-large', async () => {
    const prompt = 'Stream and fall back [[sim:status=503 model=sim-small]]';
    const { data: stream, response } = await client.chat.completions
      .create({ model: 'standard', messages: user(prompt), stream: true })
      .withResponse();
    assert.equal(response.headers.get('x-switchyard-deployment'), 'sim-large');
    assert.deepEqual(parseAttempts(response.headers.get('x-switchyard-attempts')), [
      ['sim-small', '503'],
      ['sim-large', 'ok'],
    ]);
    const chunks = await collect(stream);
    assert.ok(chunks.every((c) => c.model === 'sim-large'));
    assert.equal(streamedText(chunks), await largeAnswer(prompt));
  });

  for (const [fault, label] of [
    ['cut_after=0', 'connection_closed'],
    ['malformed', 'malformed'],
  ]) {
    test(`a stream that fails before its first word (${fault}) still falls back`, async () => {
      // sim-small sends its role chunk and then fails: the gateway holds that preamble back, so
      // nothing has reached the client and sim-large can still answer.
      const prompt = `Early failure [[sim:${fault} model=sim-small]]`;
      const { data: stream, response } = await client.chat.completions
        .create({ model: 'standard', messages: user(prompt), stream: true })
        .withResponse();
      assert.deepEqual(parseAttempts(response.headers.get('x-switchyard-attempts')), [
        ['sim-small', label],
        ['sim-large', 'ok'],
      ]);
      const chunks = await collect(stream);
      assert.ok(chunks.every((c) => c.model === 'sim-large'), 'no sim-small chunk leaked');
      assert.equal(chunks.filter((c) => c.choices[0]?.delta?.role).length, 1, 'one role chunk');
      assert.equal(streamedText(chunks), await largeAnswer(prompt));
    });
  }

  test('the reasoning route falls back the other way', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'reasoning', messages: user('Think [[sim:status=500 model=sim-large]]') })
      .withResponse();
    assert.equal(data.model, 'sim-small');
    assert.deepEqual(parseAttempts(response.headers.get('x-switchyard-attempts')), [
      ['sim-large', '500'],
      ['sim-small', 'ok'],
    ]);
  });

  test('429 from sim-small also falls back', async () => {
    const { response } = await client.chat.completions
      .create({ model: 'standard', messages: user('Limited [[sim:status=429 model=sim-small]]') })
      .withResponse();
    assert.deepEqual(parseAttempts(response.headers.get('x-switchyard-attempts')), [
      ['sim-small', '429'],
      ['sim-large', 'ok'],
    ]);
  });

  test('a connection reset by sim-small falls back', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'standard', messages: user('Reset [[sim:reset model=sim-small]]') })
      .withResponse();
    assert.equal(data.model, 'sim-large');
    const attempts = parseAttempts(response.headers.get('x-switchyard-attempts'));
    assert.equal(attempts.length, 2);
    assert.equal(attempts[0][0], 'sim-small');
    assert.notEqual(attempts[0][1], 'ok');
    assert.deepEqual(attempts[1], ['sim-large', 'ok']);
  });

  test('a malformed 200 body from sim-small falls back', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'standard', messages: user('Garbled [[sim:malformed model=sim-small]]') })
      .withResponse();
    assert.equal(data.model, 'sim-large');
    assert.equal(typeof data.choices[0].message.content, 'string');
    assert.deepEqual(parseAttempts(response.headers.get('x-switchyard-attempts')), [
      ['sim-small', 'malformed'],
      ['sim-large', 'ok'],
    ]);
  });

  test('only failed requests fall back: times=1 fails the first call alone', async () => {
    const prompt = 'Once [[sim:status=503 times=1 model=sim-small]]';
    const first = await client.chat.completions
      .create({ model: 'standard', messages: user(prompt) })
      .withResponse();
    const second = await client.chat.completions
      .create({ model: 'standard', messages: user(prompt) })
      .withResponse();
    assert.equal(first.response.headers.get('x-switchyard-deployment'), 'sim-large');
    assert.equal(second.response.headers.get('x-switchyard-deployment'), 'sim-small');
    assert.deepEqual(parseAttempts(second.response.headers.get('x-switchyard-attempts')), [
      ['sim-small', 'ok'],
    ]);
  });

  test('a single-target route has nothing to fall back to', async () => {
    const res = await client.chat.completions
      .create({ model: 'fast', messages: user('Alone [[sim:status=503 model=sim-small]]') })
      .withResponse()
      .catch((err) => err);
    assert.ok(res instanceof OpenAI.InternalServerError, `${res}`);
    assert.equal(res.status, 502);
    assert.deepEqual(parseAttempts(res.headers.get('x-switchyard-attempts')), [
      ['sim-small', '503'],
    ]);
    assert.equal((await stack.sim.stats()).requests['sim-large'] ?? 0, 0);
  });
});
