// A scripted tool call (sim.yaml: "plan a trip" -> plan_trip) whose arguments stream in many
// 3-character fragments; the SDK reassembles them and the result must match byte for byte.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { collect, startStack, user } from './harness.mjs';

// The arguments scripted in sim.yaml, restated here on purpose (keep the two in step).
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

// The simulator serialises the arguments as compact JSON with object keys in sorted order,
// UTF-8 unescaped, which for this value is what JSON.stringify gives once keys are sorted.
function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys(value[k])]),
    );
  }
  return value;
}
const EXPECTED_TEXT = JSON.stringify(sortKeys(SCRIPTED_ARGUMENTS));
const TOOL_ARG_CHUNK = 3; // sim.yaml defaults.tool_arg_chunk, in code points

const TOOLS = [
  {
    type: 'function',
    function: {
      name: 'plan_trip',
      description: 'Plans a trip.',
      parameters: { type: 'object', properties: {}, additionalProperties: true },
    },
  },
];

let stack;
let client;
before(async () => {
  stack = await startStack();
  client = stack.client();
});
after(() => stack?.stop());

describe('tool calls', () => {
  test('streamed arguments are reassembled byte for byte by the SDK', async () => {
    const runner = client.chat.completions.stream({
      model: 'standard',
      messages: user('Please plan a trip to Japan for two.'),
      tools: TOOLS,
    });
    const fragments = [];
    runner.on('tool_calls.function.arguments.delta', (event) => {
      if (event.arguments_delta !== '') fragments.push(event.arguments_delta); // the head has ""
    });
    const final = await runner.finalChatCompletion();

    const [choice] = final.choices;
    assert.equal(choice.finish_reason, 'tool_calls');
    assert.equal(choice.message.content ?? null, null);
    assert.equal(choice.message.tool_calls.length, 1);
    const [call] = choice.message.tool_calls;
    assert.equal(call.type, 'function');
    assert.match(call.id, /^call_/);
    assert.equal(call.function.name, 'plan_trip');

    assert.deepEqual(JSON.parse(call.function.arguments), SCRIPTED_ARGUMENTS);
    assert.equal(call.function.arguments, EXPECTED_TEXT);

    // Really fragmented: one delta per 3 code points, none of them split inside a character.
    const codePoints = [...EXPECTED_TEXT].length;
    assert.equal(fragments.length, Math.ceil(codePoints / TOOL_ARG_CHUNK));
    assert.ok(fragments.length > 50, `${fragments.length} fragments`);
    assert.equal(fragments.join(''), EXPECTED_TEXT);
    for (const f of fragments) assert.ok(!f.includes('\uFFFD'), `broken character in ${f}`);
  });

  test('raw stream chunks carry the call head once, then argument fragments', async () => {
    const chunks = await collect(
      await client.chat.completions.create({
        model: 'fast',
        messages: user('plan a trip'),
        tools: TOOLS,
        stream: true,
      }),
    );
    const calls = chunks.flatMap((c) => c.choices[0]?.delta?.tool_calls ?? []);
    const heads = calls.filter((c) => c.id);
    assert.equal(heads.length, 1);
    assert.equal(heads[0].function.name, 'plan_trip');
    assert.ok(calls.every((c) => c.index === 0));
    assert.equal(calls.map((c) => c.function?.arguments ?? '').join(''), EXPECTED_TEXT);
    const pieces = calls.filter((c) => !c.id);
    assert.equal(pieces.length, Math.ceil([...EXPECTED_TEXT].length / TOOL_ARG_CHUNK));
    assert.equal(chunks.at(-1).choices[0].finish_reason, 'tool_calls');
  });

  test('the non-stream answer carries the same arguments text', async () => {
    const data = await client.chat.completions.create({
      model: 'standard',
      messages: user('Please plan a trip to Japan for two.'),
      tools: TOOLS,
    });
    assert.equal(data.choices[0].finish_reason, 'tool_calls');
    const [call] = data.choices[0].message.tool_calls;
    assert.equal(call.function.name, 'plan_trip');
    assert.equal(call.function.arguments, EXPECTED_TEXT);
  });

  test('the tool result is accepted and answered with text', async () => {
    const first = await client.chat.completions.create({
      model: 'standard',
      messages: user('Please plan a trip to Japan for two.'),
      tools: TOOLS,
    });
    const call = first.choices[0].message.tool_calls[0];
    const second = await client.chat.completions.create({
      model: 'standard',
      tools: TOOLS,
      messages: [
        ...user('Please plan a trip to Japan for two.'),
        first.choices[0].message,
        { role: 'tool', tool_call_id: call.id, content: '{"booked":true}' },
      ],
    });
    assert.equal(second.choices[0].finish_reason, 'stop');
    assert.ok(second.choices[0].message.content.length > 0);
    assert.equal(second.choices[0].message.tool_calls ?? undefined, undefined);
  });
});
