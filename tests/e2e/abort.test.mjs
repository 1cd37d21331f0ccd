// A client that goes away mid-stream: the gateway must cancel its upstream call, which the
// simulator counts as a client disconnect.

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';

import { startStack, user, waitFor } from './harness.mjs';

let stack;
let client;
before(async () => {
  stack = await startStack({ health: false });
  client = stack.client();
});
after(() => stack?.stop());
beforeEach(() => stack.sim.reset());

// stall_after=2: the simulator sends two words and then goes silent, so the upstream stream is
// surely still open when the client aborts.
const STALLING = 'Keep talking [[sim:stall_after=2]]';

async function abortAfterFirstChunk(abort) {
  const controller = new AbortController();
  const stream = await client.chat.completions.create(
    { model: 'standard', messages: user(STALLING), stream: true },
    { signal: controller.signal },
  );
  let received = 0;
  for await (const chunk of stream) {
    received++;
    if (received === 1) {
      assert.equal(chunk.choices[0].delta.role, 'assistant');
      abort(controller, stream);
    }
  }
  return received;
}

describe('client abort', () => {
  test('AbortController after the first chunk cancels the upstream stream', async () => {
    const received = await abortAfterFirstChunk((controller) => controller.abort());
    assert.ok(received >= 1);
    const stats = await waitFor(async () => {
      const s = await stack.sim.stats();
      return s.client_disconnects >= 1 && s.active === 0 ? s : null;
    });
    assert.ok(stats, `simulator saw no disconnect: ${JSON.stringify(await stack.sim.stats())}`);
    assert.equal(stats.client_disconnects, 1);
    assert.equal(stats.completed, 0);
    assert.deepEqual(stats.requests, { 'sim-small': 1 }, 'no fallback after a client abort');
  });

  test('breaking out of the loop (stream.controller.abort) does the same', async () => {
    await abortAfterFirstChunk((_controller, stream) => stream.controller.abort());
    const stats = await waitFor(async () => {
      const s = await stack.sim.stats();
      return s.client_disconnects >= 1 && s.active === 0 ? s : null;
    });
    assert.ok(stats, `simulator saw no disconnect: ${JSON.stringify(await stack.sim.stats())}`);
  });

  test('the gateway keeps serving after aborted streams', async () => {
    await abortAfterFirstChunk((controller) => controller.abort());
    const data = await client.chat.completions.create({ model: 'standard', messages: user('ping') });
    assert.equal(data.choices[0].message.content, 'pong');
  });
});
