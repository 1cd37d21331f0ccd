// Upstream deadlines and unreachable upstreams, with a config of short timeouts
// (gateway-short-timeouts.yaml: first byte and idle 1 s).

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';

import OpenAI from 'openai';

import {
  SHORT_TIMEOUTS_CONFIG,
  closedPortUrl,
  collect,
  parseAttempts,
  startStack,
  user,
  waitFor,
} from './harness.mjs';

let stack;
let client;
before(async () => {
  stack = await startStack({
    config: SHORT_TIMEOUTS_CONFIG,
    env: { E2E_DEAD_URL: await closedPortUrl() },
  });
  client = stack.client();
});
after(() => stack?.stop());
beforeEach(() => stack.sim.reset());

async function disconnectsSeen(n) {
  return waitFor(async () => {
    const s = await stack.sim.stats();
    return s.client_disconnects >= n && s.active === 0 ? s : null;
  });
}

describe('upstream timeouts', () => {
  test('no first byte in time from sim-small: served by sim-large', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'standard', messages: user('Slow [[sim:delay_ms=20000 model=sim-small]]') })
      .withResponse();
    assert.equal(data.model, 'sim-large');
    assert.deepEqual(parseAttempts(response.headers.get('x-switchyard-attempts')), [
      ['sim-small', 'timeout'],
      ['sim-large', 'ok'],
    ]);
    // The abandoned upstream call was closed, not left waiting.
    assert.ok(await disconnectsSeen(1), JSON.stringify(await stack.sim.stats()));
  });

  test('every target too slow: 504 timeout', async () => {
    await assert.rejects(
      client.chat.completions.create({
        model: 'standard',
        messages: user('Slow [[sim:delay_ms=20000]]'),
      }),
      (err) => {
        assert.ok(err instanceof OpenAI.InternalServerError, `${err}`);
        assert.equal(err.status, 504);
        assert.deepEqual(parseAttempts(err.headers.get('x-switchyard-attempts')), [
          ['sim-small', 'timeout'],
          ['sim-large', 'timeout'],
        ]);
        return true;
      },
    );
  });

  test('a stream that stalls before its first word falls back', async () => {
    const { data: stream, response } = await client.chat.completions
      .create({
        model: 'standard',
        messages: user('Mute [[sim:stall_after=0 model=sim-small]]'),
        stream: true,
      })
      .withResponse();
    assert.deepEqual(parseAttempts(response.headers.get('x-switchyard-attempts')), [
      ['sim-small', 'timeout'],
      ['sim-large', 'ok'],
    ]);
    const chunks = await collect(stream);
    assert.ok(chunks.every((c) => c.model === 'sim-large'), 'no sim-small chunk leaked');
    assert.equal(chunks.at(-1).choices[0].finish_reason, 'stop');
  });

  test('a stream that stalls after its first words ends in an error', async () => {
    const stream = await client.chat.completions.create({
      model: 'solo',
      messages: user('Stall [[sim:stall_after=2]]'),
      stream: true,
    });
    const chunks = [];
    let caught;
    try {
      for await (const chunk of stream) chunks.push(chunk);
    } catch (err) {
      caught = err;
    }
    assert.ok(caught instanceof OpenAI.APIError, `no error after ${chunks.length} chunks`);
    assert.ok(chunks.length >= 1);
    assert.ok(!chunks.some((c) => c.choices[0]?.finish_reason));
    assert.ok(await disconnectsSeen(1), JSON.stringify(await stack.sim.stats()));
  });
});

describe('unreachable upstream', () => {
  test('connection refused on the first target: served by the next', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'dead-first', messages: user('ping') })
      .withResponse();
    assert.equal(data.choices[0].message.content, 'pong');
    assert.equal(response.headers.get('x-switchyard-deployment'), 'sim-small');
    assert.deepEqual(parseAttempts(response.headers.get('x-switchyard-attempts')), [
      ['dead-small', 'connect_error'],
      ['sim-small', 'ok'],
    ]);
  });

  test('nothing reachable: 502', async () => {
    await assert.rejects(
      client.chat.completions.create({ model: 'all-dead', messages: user('ping') }),
      (err) => {
        assert.ok(err instanceof OpenAI.InternalServerError, `${err}`);
        assert.equal(err.status, 502);
        return true;
      },
    );
  });
});
