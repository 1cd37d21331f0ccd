// Many requests in flight at once through one gateway.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { collect, startStack, streamedText, user } from './harness.mjs';

let stack;
let client;
before(async () => {
  stack = await startStack();
  client = stack.client();
});
after(() => stack?.stop());

const N = 50;
const PROMPTS = ['alpha question', 'beta question', 'gamma question', 'delta question', 'epsilon'];

describe('concurrency', () => {
  test(`${N} parallel requests all succeed with their own answers`, async () => {
    // The reference answers, one at a time.
    const expected = {};
    for (const p of PROMPTS) {
      const data = await client.chat.completions.create({ model: 'standard', messages: user(p) });
      expected[p] = data.choices[0].message.content;
    }
    assert.equal(new Set(Object.values(expected)).size, PROMPTS.length);
    await stack.sim.reset();

    const results = await Promise.allSettled(
      Array.from({ length: N }, async (_, i) => {
        const prompt = PROMPTS[i % PROMPTS.length];
        const stream = i % 2 === 1;
        const { data, response } = await client.chat.completions
          .create({ model: 'standard', messages: user(prompt), stream })
          .withResponse();
        const text = stream ? streamedText(await collect(data)) : data.choices[0].message.content;
        return { prompt, text, id: response.headers.get('x-request-id') };
      }),
    );
    const failed = results.filter((r) => r.status === 'rejected');
    assert.deepEqual(failed.map((r) => String(r.reason)), []);
    for (const { value } of results) {
      assert.equal(value.text, expected[value.prompt], `answer for "${value.prompt}"`);
    }
    assert.equal(new Set(results.map((r) => r.value.id)).size, N, 'distinct request ids');

    const stats = await stack.sim.stats();
    assert.equal(stats.total, N, 'one upstream call per request');
    assert.deepEqual(stats.requests, { 'sim-small': N });
  });
});
