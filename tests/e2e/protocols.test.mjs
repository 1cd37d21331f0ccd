// Any ingress reaches any egress: the official OpenAI SDK against deployments whose
// providers speak Anthropic Messages, Gemini and Bedrock Converse (on the simulator), and the official
// Anthropic SDK against all of them — whole answers, streams, streamed tool calls checked
// byte for byte at the client, and errors in the client's own shape.

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';

import { E2E_DIR, startStack, user } from './harness.mjs';

// The arguments scripted in sim.yaml for "plan a trip" (restated in tool_call.test.mjs).
const SCRIPTED_ARGUMENTS = {
  traveller: { name: 'Zoë "Zed" Ångström', home: 'Zürich' },
  legs: [
    { from: 'Zürich', to: '東京', mode: '✈', seats: 2 },
    { from: '東京', to: '京都', mode: '🚄', seats: 2 },
  ],
  notes: 'Pack a "proper" umbrella\nand the C:\\trips folder',
  budget: { amount: 4200, currency: 'CHF', flexible: true },
  tags: ['family', 'spring', 'ünïcödé'],
};
function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys(value[k])]));
  }
  return value;
}
const EXPECTED_TEXT = JSON.stringify(sortKeys(SCRIPTED_ARGUMENTS));

const OPENAI_TOOLS = [
  {
    type: 'function',
    function: {
      name: 'plan_trip',
      description: 'Plans a trip.',
      parameters: { type: 'object', properties: {}, additionalProperties: true },
    },
  },
];
const ANTHROPIC_TOOLS = [
  { name: 'plan_trip', description: 'Plans a trip.', input_schema: { type: 'object', properties: {} } },
];

// Deployments of protocols.yaml, one per egress protocol, and whether the provider
// streams tool arguments in fragments (Gemini sends a call whole).
const EGRESS = [
  { deployment: 'gpt-small', fragments: true },
  { deployment: 'claude-small', fragments: true },
  { deployment: 'gemini-small', fragments: false },
  { deployment: 'bedrock-small', fragments: true },
];

let stack;
let openai;
let anthropic;
before(async () => {
  stack = await startStack({ config: path.join(E2E_DIR, 'protocols.yaml') });
  openai = stack.client();
  anthropic = stack.anthropic();
});
after(() => stack?.stop());

for (const { deployment, fragments } of EGRESS) {
  describe(`OpenAI SDK → ${deployment}`, () => {
    test('a whole answer', async () => {
      const { data, response } = await openai.chat.completions
        .create({ model: deployment, messages: user('ping') })
        .withResponse();
      assert.equal(response.headers.get('x-switchyard-deployment'), deployment);
      assert.equal(data.object, 'chat.completion');
      assert.equal(data.choices[0].message.role, 'assistant');
      assert.equal(data.choices[0].message.content, 'pong');
      assert.equal(data.choices[0].finish_reason, 'stop');
      assert.ok(data.usage.prompt_tokens > 0 && data.usage.completion_tokens > 0, JSON.stringify(data.usage));
    });

    test('a stream, with usage when asked for', async () => {
      const stream = await openai.chat.completions.create({
        model: deployment,
        messages: user('Tell me about the weather.'),
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = '';
      let finish = null;
      let usage = null;
      for await (const chunk of stream) {
        if (chunk.usage) usage = chunk.usage;
        const choice = chunk.choices[0];
        if (choice?.delta?.content) text += choice.delta.content;
        if (choice?.finish_reason) finish = choice.finish_reason;
      }
      const whole = await openai.chat.completions.create({
        model: deployment,
        messages: user('Tell me about the weather.'),
      });
      assert.equal(text, whole.choices[0].message.content);
      assert.equal(finish, 'stop');
      assert.ok(usage && usage.completion_tokens > 0, 'a usage chunk came');
    });

    test('streamed tool-call arguments arrive byte for byte', async () => {
      const runner = openai.chat.completions.stream({
        model: deployment,
        messages: user('Please plan a trip to Japan for two.'),
        tools: OPENAI_TOOLS,
      });
      const deltas = [];
      runner.on('tool_calls.function.arguments.delta', (e) => {
        if (e.arguments_delta !== '') deltas.push(e.arguments_delta);
      });
      const final = await runner.finalChatCompletion();
      const [choice] = final.choices;
      assert.equal(choice.finish_reason, 'tool_calls');
      const [call] = choice.message.tool_calls;
      assert.equal(call.function.name, 'plan_trip');
      assert.ok(call.id);
      assert.equal(call.function.arguments, EXPECTED_TEXT);
      assert.equal(deltas.join(''), EXPECTED_TEXT);
      if (fragments) assert.ok(deltas.length > 10, `${deltas.length} fragments`);
    });

    test('an upstream rate limit comes back as a 429 in OpenAI\'s shape', async () => {
      const err = await openai.chat.completions
        .create({ model: deployment, messages: user('Slow down [[sim:status=429 retry_after=1]]') })
        .then(() => null, (e) => e);
      assert.ok(err instanceof OpenAI.RateLimitError, String(err));
      assert.equal(err.error.type, 'rate_limit_error');
    });
  });

  describe(`Anthropic SDK → ${deployment}`, () => {
    test('a whole answer and a stream', async () => {
      const msg = await anthropic.messages.create({
        model: deployment,
        max_tokens: 64,
        messages: [{ role: 'user', content: 'ping' }],
      });
      assert.equal(msg.content[0].text, 'pong');
      assert.equal(msg.stop_reason, 'end_turn');
      const stream = anthropic.messages.stream({
        model: deployment,
        max_tokens: 64,
        messages: [{ role: 'user', content: 'ping' }],
      });
      const final = await stream.finalMessage();
      assert.equal(final.content[0].text, 'pong');
    });

    test('streamed tool input arrives byte for byte', async () => {
      const stream = anthropic.messages.stream({
        model: deployment,
        max_tokens: 512,
        tools: ANTHROPIC_TOOLS,
        messages: [{ role: 'user', content: 'Please plan a trip to Japan for two.' }],
      });
      const fragments = [];
      stream.on('streamEvent', (ev) => {
        if (ev.type === 'content_block_delta' && ev.delta.type === 'input_json_delta') {
          fragments.push(ev.delta.partial_json);
        }
      });
      const final = await stream.finalMessage();
      assert.equal(final.stop_reason, 'tool_use');
      const use = final.content.find((b) => b.type === 'tool_use');
      assert.deepEqual(use.input, SCRIPTED_ARGUMENTS);
      assert.equal(fragments.join(''), EXPECTED_TEXT);
    });

    test('an upstream error comes back in Anthropic\'s shape', async () => {
      const err = await anthropic.messages
        .create({
          model: deployment,
          max_tokens: 8,
          messages: [{ role: 'user', content: 'Slow down [[sim:status=429 retry_after=1]]' }],
        })
        .then(() => null, (e) => e);
      assert.ok(err instanceof Anthropic.RateLimitError, String(err));
      assert.equal(err.error.error.type, 'rate_limit_error');
    });
  });
}

describe('features a protocol cannot carry', () => {
  test('top_k to an OpenAI deployment is a 400 naming the feature', async () => {
    const err = await anthropic.messages
      .create({ model: 'gpt-small', max_tokens: 8, top_k: 5, messages: [{ role: 'user', content: 'hi' }] })
      .then(() => null, (e) => e);
    assert.ok(err instanceof Anthropic.BadRequestError, String(err));
    assert.match(err.error.error.message, /top_k/);
    assert.match(err.error.error.message, /openai_chat/);
  });

  test('logprobs to an Anthropic deployment is a 400 naming the feature', async () => {
    const err = await openai.chat.completions
      .create({ model: 'claude-small', logprobs: true, messages: user('hi') })
      .then(() => null, (e) => e);
    assert.ok(err instanceof OpenAI.BadRequestError, String(err));
    assert.equal(err.code, 'unsupported_feature');
    assert.match(err.message, /logprobs/);
  });
});
