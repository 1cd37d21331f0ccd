// The official Anthropic SDK against Switchyard's POST /v1/messages, routed to the
// simulator's OpenAI-format deployments: requests, answers, streams and errors are
// translated through the canonical model both ways.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import Anthropic from '@anthropic-ai/sdk';

import { startStack } from './harness.mjs';

// The arguments scripted in sim.yaml for "plan a trip" (restated in tool_call.test.mjs too).
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

const TOOLS = [
  {
    name: 'plan_trip',
    description: 'Plans a trip.',
    input_schema: { type: 'object', properties: {}, additionalProperties: true },
  },
];

let stack;
let client;
before(async () => {
  stack = await startStack();
  client = stack.anthropic();
});
after(() => stack?.stop());

describe('Anthropic SDK → OpenAI-format deployment', () => {
  test('a whole answer comes back as an Anthropic message', async () => {
    const { data: msg, response } = await client.messages
      .create({ model: 'standard', max_tokens: 64, messages: [{ role: 'user', content: 'ping' }] })
      .withResponse();
    assert.equal(msg.type, 'message');
    assert.equal(msg.role, 'assistant');
    assert.equal(msg.content.length, 1);
    assert.equal(msg.content[0].type, 'text');
    assert.equal(msg.content[0].text, 'pong');
    assert.equal(msg.stop_reason, 'end_turn');
    assert.ok(msg.usage.input_tokens > 0, 'input tokens reported');
    assert.ok(msg.usage.output_tokens > 0, 'output tokens reported');
    assert.equal(response.headers.get('x-switchyard-deployment'), 'sim-small');
    assert.ok(response.headers.get('x-request-id'));
  });

  test('a system prompt and a multi-turn history are accepted', async () => {
    const msg = await client.messages.create({
      model: 'standard',
      max_tokens: 64,
      system: [{ type: 'text', text: 'You are terse.' }],
      messages: [
        { role: 'user', content: 'hello' },
        { role: 'assistant', content: [{ type: 'text', text: 'Hi.' }] },
        { role: 'user', content: [{ type: 'text', text: 'ping' }] },
      ],
    });
    assert.equal(msg.content[0].text, 'pong');
  });

  test('a streamed answer arrives as Anthropic events, text equal to the whole answer', async () => {
    const stream = client.messages.stream({
      model: 'standard',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Tell me about the weather.' }],
    });
    const kinds = [];
    let text = '';
    stream.on('streamEvent', (ev) => kinds.push(ev.type));
    stream.on('text', (delta) => (text += delta));
    const final = await stream.finalMessage();
    assert.equal(kinds[0], 'message_start');
    assert.equal(kinds.at(-1), 'message_stop');
    assert.ok(kinds.includes('content_block_start'));
    assert.ok(kinds.includes('content_block_delta'));
    assert.ok(kinds.includes('message_delta'));
    assert.ok(text.length > 0);
    assert.equal(final.content[0].type, 'text');
    assert.equal(final.content[0].text, text);
    assert.equal(final.stop_reason, 'end_turn');
    assert.ok(final.usage.output_tokens > 0);
  });

  test('streamed tool input is reassembled byte for byte', async () => {
    const stream = client.messages.stream({
      model: 'standard',
      max_tokens: 512,
      tools: TOOLS,
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
    const uses = final.content.filter((b) => b.type === 'tool_use');
    assert.equal(uses.length, 1);
    assert.equal(uses[0].name, 'plan_trip');
    assert.ok(uses[0].id);
    assert.deepEqual(uses[0].input, SCRIPTED_ARGUMENTS);
    assert.ok(fragments.length > 10, `arguments came in ${fragments.length} fragments`);
    assert.equal(fragments.join(''), EXPECTED_TEXT);
  });

  test('a whole tool-use answer carries the input as an object', async () => {
    const msg = await client.messages.create({
      model: 'standard',
      max_tokens: 512,
      tools: TOOLS,
      messages: [{ role: 'user', content: 'Please plan a trip to Japan for two.' }],
    });
    assert.equal(msg.stop_reason, 'tool_use');
    const use = msg.content.find((b) => b.type === 'tool_use');
    assert.deepEqual(use.input, SCRIPTED_ARGUMENTS);
  });

  test('tool results go back to the model', async () => {
    const msg = await client.messages.create({
      model: 'standard',
      max_tokens: 64,
      tools: TOOLS,
      messages: [
        { role: 'user', content: 'Please plan a trip to Japan for two.' },
        {
          role: 'assistant',
          content: [{ type: 'tool_use', id: 'toolu_01', name: 'plan_trip', input: { days: 3 } }],
        },
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: 'toolu_01', content: 'booked' }],
        },
      ],
    });
    assert.equal(msg.type, 'message');
    assert.ok(msg.content.length >= 1);
  });

  test('errors come back in Anthropic\'s shape', async () => {
    await assert.rejects(
      client.messages.create({ model: 'standard', messages: [{ role: 'user', content: 'hi' }] }),
      (err) => {
        assert.ok(err instanceof Anthropic.BadRequestError, String(err));
        assert.equal(err.status, 400);
        assert.equal(err.error.type, 'error');
        assert.equal(err.error.error.type, 'invalid_request_error');
        assert.match(err.error.error.message, /max_tokens/);
        return true;
      },
    );
    await assert.rejects(
      client.messages.create({ model: 'no-such-model', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] }),
      (err) => err instanceof Anthropic.NotFoundError && err.error.error.type === 'not_found_error',
    );
    const anonymous = stack.anthropic({ apiKey: 'sk-wrong' });
    await assert.rejects(
      anonymous.messages.create({ model: 'standard', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] }),
      (err) => err instanceof Anthropic.AuthenticationError && err.error.error.type === 'authentication_error',
    );
  });

  test('a secret in the prompt is stopped by policy, in Anthropic\'s shape', async () => {
    await assert.rejects(
      client.messages.create({
        model: 'standard',
        max_tokens: 8,
        messages: [{ role: 'user', content: 'Deploy with key sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH please.' }],
      }),
      (err) => err instanceof Anthropic.PermissionDeniedError && /no-secrets/.test(err.error.error.message),
    );
  });
});
