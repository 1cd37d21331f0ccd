// POST /v1/embeddings through the official OpenAI SDK (client.embeddings.create) against the
// demo config's embedding deployments on the simulator — OpenAI-compatible (embed-small),
// Gemini batchEmbedContents (embed-gemini), Bedrock Titan (embed-titan, one call per input)
// and Bedrock Cohere (embed-cohere) — with floats and base64 (which the SDK asks for and
// decodes by default); errors in OpenAI's shape, fallback on an upstream 500, the demo's DLP
// policies, and the audit record of an embeddings call.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import OpenAI from 'openai';

import { parseAttempts, startStack, waitFor } from './harness.mjs';

const ADMIN_KEY = 'e2e-embeddings-admin-key';

let stack;
let client;
before(async () => {
  stack = await startStack({ health: false, env: { SWITCHYARD_ADMIN_KEY: ADMIN_KEY } });
  client = stack.client();
});
after(() => stack?.stop());

// A float32 vector given as JSON numbers equals one decoded from base64 float32.
function assertSameFloat32(jsonVector, decoded) {
  assert.equal(jsonVector.length, decoded.length);
  for (let i = 0; i < decoded.length; i++) assert.equal(Math.fround(jsonVector[i]), decoded[i], `component ${i}`);
}

function norm(v) {
  return Math.sqrt(v.reduce((s, x) => s + x * x, 0));
}

// Every test gets texts of its own, so `times=1` faults never meet an earlier request.
let counter = 0;
function unique(text) {
  counter += 1;
  return `${text} #${process.pid}-${counter}`;
}

describe('embeddings across providers', () => {
  for (const { model, dims, provider } of [
    { model: 'embed-small', dims: 256, provider: 'openai-compatible' },
    { model: 'embed-gemini', dims: 256, provider: 'gemini' },
    { model: 'embed-titan', dims: 1024, provider: 'bedrock titan' },
    { model: 'embed-cohere', dims: 1024, provider: 'bedrock cohere' },
  ]) {
    test(`${model} (${provider}): floats and base64 give the same vectors, in input order`, async () => {
      const input = [unique('the quick brown fox'), unique('jumps over'), 'the quick brown fox'];
      const floats = await client.embeddings.create({ model, input, encoding_format: 'float' });
      assert.equal(floats.object, 'list');
      assert.equal(floats.data.length, 3);
      floats.data.forEach((d, i) => {
        assert.equal(d.object, 'embedding');
        assert.equal(d.index, i);
        assert.equal(d.embedding.length, dims);
        assert.ok(Math.abs(norm(d.embedding) - 1) < 1e-3, 'a unit vector');
      });
      assert.notDeepEqual(floats.data[0].embedding, floats.data[1].embedding);
      assert.ok(floats.usage.prompt_tokens > 0);
      assert.equal(floats.usage.total_tokens, floats.usage.prompt_tokens);

      // No encoding_format: the SDK asks for base64 and decodes it into numbers.
      const decoded = await client.embeddings.create({ model, input });
      assert.equal(decoded.data.length, 3);
      decoded.data.forEach((d, i) => assertSameFloat32(floats.data[i].embedding, d.embedding));

      // encoding_format "base64" given explicitly: the SDK hands back the string.
      const raw = await client.embeddings.create({ model, input: input[2], encoding_format: 'base64' });
      assert.equal(typeof raw.data[0].embedding, 'string');
      const bytes = Buffer.from(raw.data[0].embedding, 'base64');
      assert.equal(bytes.length, dims * 4);
      const fromBase64 = new Float32Array(bytes.buffer, bytes.byteOffset, dims);
      assertSameFloat32(floats.data[2].embedding, Array.from(fromBase64));
    });
  }

  test('equal texts give equal vectors across providers of the same model and size', async () => {
    const input = unique('same text everywhere');
    const a = await client.embeddings.create({ model: 'embed-small', input, encoding_format: 'float' });
    const b = await client.embeddings.create({ model: 'embed-gemini', input, encoding_format: 'float' });
    assert.deepEqual(a.data[0].embedding, b.data[0].embedding);
    const t = await client.embeddings.create({ model: 'embed-titan', input, dimensions: 256, encoding_format: 'float' });
    assert.deepEqual(t.data[0].embedding, a.data[0].embedding);
  });

  test('dimensions reach the provider', async () => {
    for (const [model, size] of [['embed-small', 64], ['embed-gemini', 128], ['embed-titan', 512]]) {
      const r = await client.embeddings.create({ model, input: 'sized', dimensions: size });
      assert.equal(r.data[0].embedding.length, size, model);
    }
  });

  test('Titan takes one InvokeModel call per input', async () => {
    await stack.sim.reset();
    const r = await client.embeddings.create({ model: 'embed-titan', input: ['a', 'b', 'c', 'd'] });
    assert.equal(r.data.length, 4);
    const stats = await stack.sim.stats();
    assert.equal(stats.requests['amazon.titan-embed-text-v2:0'], 4);
  });

  test('Bedrock reports usage; Gemini does not and the gateway estimates it', async () => {
    const titan = await client.embeddings.create({ model: 'embed-titan', input: ['abcdefgh', 'abcd'] });
    assert.equal(titan.usage.prompt_tokens, 3); // the simulator counts ceil(bytes / 4) per input
    const gemini = await client.embeddings.create({ model: 'embed-gemini', input: 'abcdefghijkl' });
    assert.equal(gemini.usage.prompt_tokens, 4); // the gateway's estimate: ASCII at 3 bytes a token
  });
});

describe('embeddings errors', () => {
  test('bad input is a 400 in OpenAI shape', async () => {
    for (const body of [
      { model: 'embed-small' },
      { model: 'embed-small', input: '' },
      { model: 'embed-small', input: [] },
      { model: 'embed-small', input: 'x', encoding_format: 'int8' },
    ]) {
      await assert.rejects(client.embeddings.create(body), (err) => {
        assert.ok(err instanceof OpenAI.BadRequestError, JSON.stringify(body));
        assert.equal(err.status, 400);
        assert.equal(err.error.type, 'invalid_request_error');
        assert.equal(typeof err.error.message, 'string');
        return true;
      });
    }
  });

  test('an unknown model is a 404, as for chat', async () => {
    await assert.rejects(client.embeddings.create({ model: 'no-such-model', input: 'x' }), (err) => {
      assert.ok(err instanceof OpenAI.NotFoundError);
      assert.equal(err.error.code, 'model_not_found');
      return true;
    });
  });

  test('a chat model cannot embed and an embedding model cannot chat', async () => {
    await assert.rejects(client.embeddings.create({ model: 'sim-small', input: 'x' }), (err) => {
      assert.ok(err instanceof OpenAI.BadRequestError);
      assert.match(err.message, /removed by kind/);
      return true;
    });
    await assert.rejects(
      client.chat.completions.create({ model: 'embed-small', messages: [{ role: 'user', content: 'hi' }] }),
      (err) => {
        assert.ok(err instanceof OpenAI.BadRequestError);
        assert.match(err.message, /embed-small removed by kind \(embedding deployment/);
        return true;
      },
    );
  });

  test('Cohere v3 has no dimensions: 400 naming it', async () => {
    await assert.rejects(
      client.embeddings.create({ model: 'embed-cohere', input: 'x', dimensions: 256 }),
      (err) => {
        assert.ok(err instanceof OpenAI.BadRequestError);
        assert.match(err.message, /dimensions/);
        return true;
      },
    );
  });

  test('an upstream 500 falls back to the route\'s next deployment', async () => {
    const { data, response } = await client.embeddings
      .create({ model: 'embed', input: unique('fallback [[sim:status=500 times=1]]'), encoding_format: 'float' })
      .withResponse();
    assert.equal(data.data[0].embedding.length, 256);
    assert.deepEqual(parseAttempts(response.headers.get('x-switchyard-attempts')), [
      ['embed-small', '500'],
      ['embed-gemini', 'ok'],
    ]);
    assert.equal(response.headers.get('x-switchyard-deployment'), 'embed-gemini');
  });

  test('every deployment failing is a 502 in OpenAI shape', async () => {
    await assert.rejects(
      client.embeddings.create({ model: 'embed', input: unique('down [[sim:status=500]]') }),
      (err) => {
        assert.equal(err.status, 502);
        assert.match(err.message, /all 2 attempts failed/);
        return true;
      },
    );
  });
});

describe('embeddings governance', () => {
  test('a secret in an input is denied by the demo policy', async () => {
    await assert.rejects(
      client.embeddings.create({
        model: 'embed-small',
        input: ['fine', 'Deploy with key sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH please.'],
      }),
      (err) => {
        assert.ok(err instanceof OpenAI.PermissionDeniedError);
        assert.match(err.message, /no-secrets/);
        return true;
      },
    );
  });

  test('e-mail addresses are masked before the provider sees them', async () => {
    const embed = async (input) =>
      (await client.embeddings.create({ model: 'embed-small', input, encoding_format: 'float' })).data[0].embedding;
    const bob = await embed('write to bob@example.com');
    const alice = await embed('write to alice@example.org');
    const placeholder = await embed('write to [EMAIL_1]');
    assert.deepEqual(bob, placeholder);
    assert.deepEqual(alice, placeholder);
  });

  test('an embeddings call leaves an audit record', async () => {
    const { response } = await client.embeddings.create({ model: 'embed-titan', input: 'audited' }).withResponse();
    const requestId = response.headers.get('x-request-id');
    assert.ok(requestId);
    const record = await waitFor(async () => {
      const res = await fetch(`${stack.gateway.url}/admin/v1/audit?request_id=${requestId}`, {
        headers: { authorization: `Bearer ${ADMIN_KEY}` },
      });
      assert.equal(res.status, 200);
      const body = await res.json();
      return body.records[0];
    });
    assert.ok(record, 'no audit record');
    assert.equal(record.action, 'POST /v1/embeddings');
    assert.equal(record.model, 'embed-titan');
    assert.equal(record.deployment, 'embed-titan');
    assert.equal(record.status, 200);
    assert.ok(record.cost_usd > 0);
  });
});
