// Request shapes that real OpenAI clients send and the OpenAI API accepts: explicit nulls for
// optional parameters, content as an array of parts, large prompts.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { startStack, user } from './harness.mjs';

let stack;
let client;
before(async () => {
  stack = await startStack();
  client = stack.client();
});
after(() => stack?.stop());

// Optional parameters that the SDK's types declare as `T | null` (openai 6.x
// ChatCompletionCreateParamsBase). Clients built on the SDK send these nulls as they are.
const NULLABLE = [
  'audio', 'frequency_penalty', 'logit_bias', 'logprobs', 'max_completion_tokens', 'max_tokens',
  'metadata', 'modalities', 'n', 'prediction', 'presence_penalty', 'prompt_cache_key',
  'prompt_cache_retention', 'reasoning_effort', 'safety_identifier', 'seed', 'service_tier',
  'stop', 'store', 'stream_options', 'temperature', 'top_logprobs', 'top_p', 'verbosity',
];

describe('request compatibility', () => {
  test('null for a nullable optional parameter means "not set"', async () => {
    const failures = [];
    for (const key of NULLABLE) {
      try {
        const data = await client.chat.completions.create({
          model: 'standard',
          messages: user('ping'),
          [key]: null,
        });
        if (data.choices[0].message.content !== 'pong') failures.push(`${key}: wrong answer`);
      } catch (err) {
        failures.push(`${key}: ${err.status} ${err.message}`);
      }
    }
    assert.deepEqual(failures, []);
  });

  test(
    'stream: null means a non-stream request',
    async () => {
      const data = await client.chat.completions.create({
        model: 'standard',
        messages: user('ping'),
        stream: null,
      });
      assert.equal(data.choices[0].message.content, 'pong');
    },
  );

  test('content as an array of text parts is joined', async () => {
    const data = await client.chat.completions.create({
      model: 'standard',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'pi' },
            { type: 'text', text: 'ng' },
          ],
        },
      ],
    });
    assert.equal(data.choices[0].message.content, 'pong');
  });

  test('a 300 KB prompt is forwarded whole to the deployment whose window holds it', async () => {
    const prompt = 'word '.repeat(60_000);
    const { data, response } = await client.chat.completions
      .create({ model: 'standard', messages: user(prompt) })
      .withResponse();
    // sim-small's 16k-token window cannot hold it; sim-large's 128k can.
    assert.equal(response.headers.get('x-switchyard-deployment'), 'sim-large');
    assert.match(response.headers.get('x-switchyard-route'), /removed=sim-small\(context_window\)/);
    // The simulator counts ceil(UTF-8 bytes / 4) + 3 per message.
    assert.equal(data.usage.prompt_tokens, Math.ceil(Buffer.byteLength(prompt) / 4) + 3);
  });

  test('a 2 MB prompt no deployment can hold is a 400 naming the context windows', async () => {
    const prompt = 'word '.repeat(400_000);
    const err = await client.chat.completions
      .create({ model: 'standard', messages: user(prompt) })
      .then(() => null, (e) => e);
    assert.equal(err?.status, 400, String(err));
    assert.equal(err.code, 'no_capable_deployment');
    assert.match(err.message, /context window of 128000/);
  });

  test('a JSON-escaped model name is decoded before routing', async () => {
    const res = await fetch(`${stack.gateway.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-demo' },
      body: '{"model":"au\\u0074o","messages":[{"role":"user","content":"ping"}]}',
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-switchyard-deployment'), 'sim-small');
    assert.equal((await res.json()).choices[0].message.content, 'pong');
  });
});
