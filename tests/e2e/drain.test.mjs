// SIGTERM: the gateway stops accepting connections, finishes the requests in flight and exits 0.

import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';

import { collect, startStack, streamedText, user, waitFor } from './harness.mjs';

let stack;
before(async () => {
  stack = await startStack({ health: false });
});
after(() => stack?.stop());

// Resolves true when a TCP connection to `port` is refused.
function refused(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (err) => resolve(err.code === 'ECONNREFUSED'));
  });
}

describe('graceful shutdown', () => {
  test('requests in flight at SIGTERM complete, then the gateway exits 0', async () => {
    const client = stack.client();
    // The simulator holds both answers back for a second, so they are surely in flight.
    const prompt = 'Finish me [[sim:delay_ms=1000]]';
    const whole = client.chat.completions.create({ model: 'standard', messages: user(prompt) });
    const streamed = client.chat.completions
      .create({ model: 'standard', messages: user(prompt), stream: true })
      .then(collect);
    const inFlight = await waitFor(async () => (await stack.sim.stats()).active === 2);
    assert.ok(inFlight, 'both requests reached the simulator');

    stack.gateway.proc.signal('SIGTERM');
    assert.ok(
      await waitFor(() => refused(stack.gateway.port)),
      'the listener closes after SIGTERM',
    );

    const [data, chunks] = await Promise.all([whole, streamed]);
    assert.equal(data.choices[0].finish_reason, 'stop');
    assert.equal(data.usage.completion_tokens, 16);
    assert.equal(streamedText(chunks), data.choices[0].message.content);
    assert.equal(chunks.at(-1).choices[0].finish_reason, 'stop');

    const exit = await stack.gateway.proc.exit;
    assert.deepEqual(exit, { code: 0, signal: null });
  });
});
