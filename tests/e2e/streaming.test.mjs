// Streamed chat completions: the deltas add up to the non-stream answer, and the usage chunk is
// there exactly when the client asks for it.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { collect, parseAttempts, startStack, streamedText, user } from './harness.mjs';

let stack;
let client;
before(async () => {
  stack = await startStack();
  client = stack.client();
});
after(() => stack?.stop());

async function nonStream(model, text) {
  return client.chat.completions.create({ model, messages: user(text) });
}

function usageChunks(chunks) {
  return chunks.filter((c) => c.usage);
}

describe('streaming', () => {
  test('deltas concatenate to the non-stream answer for the same prompt', async () => {
    const prompt = 'Describe a quiet harbor at dawn.';
    const whole = await nonStream('standard', prompt);
    const { data: stream, response } = await client.chat.completions
      .create({ model: 'standard', messages: user(prompt), stream: true })
      .withResponse();
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
    assert.ok(response.headers.get('x-request-id'));
    assert.equal(response.headers.get('x-switchyard-deployment'), 'sim-small');
    assert.deepEqual(parseAttempts(response.headers.get('x-switchyard-attempts')), [
      ['sim-small', 'ok'],
    ]);
    const chunks = await collect(stream);

    // One chunk per word plus the role and finish chunks: really streamed, not one blob.
    assert.ok(chunks.length >= 16, `only ${chunks.length} chunks`);
    assert.equal(streamedText(chunks), whole.choices[0].message.content);
    for (const c of chunks) {
      assert.equal(c.object, 'chat.completion.chunk');
      assert.equal(c.model, 'sim-small');
      assert.equal(c.id, chunks[0].id, 'every chunk carries the same id');
    }
    assert.equal(chunks[0].choices[0].delta.role, 'assistant');
    const finishes = chunks.filter((c) => c.choices[0]?.finish_reason);
    assert.equal(finishes.length, 1);
    assert.equal(finishes[0].choices[0].finish_reason, 'stop');
    assert.equal(finishes[0], chunks.at(-1), 'finish_reason is on the last chunk');
  });

  test('the same holds for a longer answer from another deployment', async () => {
    const prompt = 'Explain the history of bridges.';
    const whole = await nonStream('reasoning', prompt);
    const chunks = await collect(
      await client.chat.completions.create({
        model: 'reasoning',
        messages: user(prompt),
        stream: true,
      }),
    );
    assert.equal(chunks[0].model, 'sim-large');
    assert.equal(streamedText(chunks), whole.choices[0].message.content);
  });

  test('no usage chunk unless the client asks for it', async () => {
    const chunks = await collect(
      await client.chat.completions.create({
        model: 'standard',
        messages: user('usage?'),
        stream: true,
      }),
    );
    assert.deepEqual(usageChunks(chunks), []);
    assert.ok(chunks.every((c) => c.choices.length === 1), 'no chunk without a choice');
  });

  test('no usage chunk when include_usage is false', async () => {
    const chunks = await collect(
      await client.chat.completions.create({
        stream_options: { include_usage: false },
        model: 'standard',
        messages: user('usage?'),
        stream: true,
      }),
    );
    assert.deepEqual(usageChunks(chunks), []);
    assert.ok(chunks.every((c) => c.choices.length === 1), 'no chunk without a choice');
  });

  test('include_usage adds one final usage chunk matching the non-stream usage', async () => {
    const prompt = 'Count the words in this answer.';
    const whole = await nonStream('standard', prompt);
    const chunks = await collect(
      await client.chat.completions.create({
        model: 'standard',
        messages: user(prompt),
        stream: true,
        stream_options: { include_usage: true },
      }),
    );
    const withUsage = usageChunks(chunks);
    assert.equal(withUsage.length, 1);
    const last = chunks.at(-1);
    assert.equal(withUsage[0], last, 'the usage chunk is the last one');
    assert.deepEqual(last.choices, []);
    assert.deepEqual(
      {
        prompt_tokens: last.usage.prompt_tokens,
        completion_tokens: last.usage.completion_tokens,
        total_tokens: last.usage.total_tokens,
      },
      {
        prompt_tokens: whole.usage.prompt_tokens,
        completion_tokens: whole.usage.completion_tokens,
        total_tokens: whole.usage.total_tokens,
      },
    );
    assert.equal(streamedText(chunks), whole.choices[0].message.content);
  });

  test('max_tokens cuts a stream with finish_reason length', async () => {
    const chunks = await collect(
      await client.chat.completions.create({
        model: 'standard',
        messages: user('Go on and on.'),
        stream: true,
        max_tokens: 4,
      }),
    );
    assert.equal(streamedText(chunks).trim().split(' ').length, 4);
    assert.equal(chunks.at(-1).choices[0].finish_reason, 'length');
  });

  test('the SDK stream helper assembles the same final message', async () => {
    const prompt = 'Summarise a winter journey.';
    const whole = await nonStream('standard', prompt);
    const runner = client.chat.completions.stream({ model: 'standard', messages: user(prompt) });
    const final = await runner.finalChatCompletion();
    assert.equal(final.choices[0].message.content, whole.choices[0].message.content);
    assert.equal(final.choices[0].finish_reason, 'stop');
  });
});
