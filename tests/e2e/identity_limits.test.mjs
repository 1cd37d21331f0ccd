// Governance through the running gateway, as its clients see it: OIDC JWT callers (RS256
// and ES256 keys made here, a JWKS served over HTTP by this process and one read from a
// file, claims mapped to team and roles, every rejection a 401 naming its check, key
// rotation), rate limits per key and per team (429 with Retry-After in OpenAI's and
// Anthropic's shapes, streams counted), two replicas sharing budgets and rate limits in a
// real redis-server (and failing closed when it goes away), and auth changes applied by a
// config reload (SIGHUP).

import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';

import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';

import { collect, startGateway, startSim, startStack, user, waitFor } from './harness.mjs';

const run = promisify(execFile);
const ADMIN_KEY = 'e2e-admin-key-0123456789';
const nowS = () => Math.floor(Date.now() / 1000);

// A temporary directory for this file's configs and key sets, removed at exit.
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-e2e-idl-'));
process.on('exit', () => fs.rmSync(TMP, { recursive: true, force: true }));

function writeConfig(name, text) {
  const file = path.join(TMP, name);
  fs.writeFileSync(file, text);
  return file;
}

// The simulator as a priced provider: $1000 per million tokens in and out, so costs are
// large enough to read.
const PROVIDER = `
providers:
  sim:
    type: openai_compatible
    base_url: \${SWITCHYARD_SIM_URL}/v1
deployments:
  sim-small:
    provider: sim
    model: sim-small
    price: {input_per_mtok: 1000, output_per_mtok: 1000}
    context_window: 16384
`;

async function rejection(promise) {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  assert.fail('the request succeeded');
}

// Retry-After as the integer number of seconds it must be.
function retryAfter(err) {
  const value = err.headers?.get?.('retry-after') ?? err.headers?.['retry-after'];
  assert.match(String(value), /^\d+$/, `retry-after ${value} is not an integer of seconds`);
  return Number(value);
}

// ---- JWTs ----------------------------------------------------------------------------

const b64url = (data) => Buffer.from(data).toString('base64url');

// A signing key with its public JWK; `alg` RS256 or ES256.
function makeKey(alg, kid) {
  const { privateKey, publicKey } =
    alg === 'RS256'
      ? crypto.generateKeyPairSync('rsa', { modulusLength: 2048 })
      : crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    alg,
    kid,
    privateKey,
    publicKey,
    jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' },
  };
}

// A compact JWS. `header` overrides the key's alg/kid; alg HS256 signs with `hmacSecret`,
// alg none leaves the signature empty.
function sign(key, claims, { header = {}, hmacSecret } = {}) {
  const h = { typ: 'JWT', alg: key.alg, kid: key.kid, ...header };
  const input = `${b64url(JSON.stringify(h))}.${b64url(JSON.stringify(claims))}`;
  let signature;
  if (h.alg === 'RS256') {
    signature = crypto.sign('sha256', Buffer.from(input), key.privateKey);
  } else if (h.alg === 'ES256') {
    signature = crypto.sign('sha256', Buffer.from(input), {
      key: key.privateKey,
      dsaEncoding: 'ieee-p1363',
    });
  } else if (h.alg === 'HS256') {
    signature = crypto.createHmac('sha256', hmacSecret).update(input).digest();
  } else {
    signature = Buffer.alloc(0);
  }
  return `${input}.${b64url(signature)}`;
}

// A JWKS document served by this process, whose keys the test can swap (rotation).
class JwksServer {
  constructor(keys) {
    this.keys = keys;
    this.fetches = 0;
    this.server = http.createServer((req, res) => {
      this.fetches += 1;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: this.keys.map((k) => k.jwk) }));
    });
  }
  async start() {
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${this.server.address().port}/discovery/v2.0/keys`;
  }
  stop() {
    return new Promise((resolve) => this.server.close(resolve));
  }
}

async function admin(gateway, pathAndQuery) {
  const res = await fetch(`${gateway.url}/admin/v1/${pathAndQuery}`, {
    headers: { authorization: `Bearer ${ADMIN_KEY}` },
  });
  assert.equal(res.status, 200, `GET /admin/v1/${pathAndQuery}: ${res.status}`);
  return res.json();
}

describe('OIDC JWT callers', () => {
  // Entra ID's shape, JWKS over HTTP: app roles mapped, the team from `groups` by prefix.
  const ENTRA = 'https://login.microsoftonline.com/e2e-tenant/v2.0';
  // Keycloak's shape, JWKS from a file: realm roles, the team from a nested claim.
  const KEYCLOAK = 'https://sso.example.test/realms/acme';
  const entraRsa = makeKey('RS256', 'entra-rsa-1');
  const entraEc = makeKey('ES256', 'entra-ec-1');
  const entraNext = makeKey('RS256', 'entra-rsa-2');
  const keycloakEc = makeKey('ES256', 'kc-ec-1');
  const stranger = makeKey('RS256', 'entra-rsa-1'); // same kid, a key nobody published
  let jwks;
  let stack;

  const entraClaims = (extra = {}) => ({
    iss: ENTRA,
    aud: 'api://switchyard',
    sub: 'alice',
    iat: nowS(),
    nbf: nowS() - 5,
    exp: nowS() + 600,
    roles: ['Switchyard.User'],
    groups: ['all-staff', 'team-payments'],
    ...extra,
  });
  const keycloakClaims = (extra = {}) => ({
    iss: KEYCLOAK,
    aud: ['account', 'switchyard'],
    sub: 'bob',
    exp: nowS() + 600,
    realm_access: { roles: ['developer', 'offline_access'] },
    org: { team: 'research' },
    ...extra,
  });

  before(async () => {
    jwks = new JwksServer([entraRsa, entraEc]);
    await jwks.start();
    const jwksFile = path.join(TMP, 'keycloak-jwks.json');
    fs.writeFileSync(jwksFile, JSON.stringify({ keys: [keycloakEc.jwk] }));
    const config = writeConfig(
      'jwt.yaml',
      `data_dir: ./data
server: {access_log: false}
admin: {api_key: ${ADMIN_KEY}}
audit: {durability: sync}
auth:
  require: true
  jwt:
    - issuer: ${ENTRA}
      audience: api://switchyard
      jwks_url: ${jwks.url}
      jwks_min_refetch_s: 1
      roles_claim: roles
      role_map: {Switchyard.User: developer, Switchyard.Audit: auditor}
      team_claim: groups
      team_prefix: team-
    - issuer: ${KEYCLOAK}
      audience: [switchyard]
      jwks_file: ${jwksFile}
      roles_claim: realm_access.roles
      team_claim: org.team
${PROVIDER}`,
    );
    stack = await startStack({ config });
    // The URL's key set is fetched in the background: wait until a token is accepted.
    const ready = await waitFor(async () => {
      const res = await fetch(`${stack.gateway.baseURL}/chat/completions`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${sign(entraRsa, entraClaims({ sub: 'warmup' }))}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ model: 'sim-small', max_tokens: 4, messages: user('hi') }),
      });
      return res.status === 200;
    });
    assert.ok(ready, 'the gateway never accepted a token signed with the served key');
  });
  after(async () => {
    await stack?.stop();
    await jwks?.stop();
  });

  test('an RS256 token is accepted and its caller attributed to the mapped team', async () => {
    const token = sign(entraRsa, entraClaims());
    const { data, response } = await stack
      .client({ apiKey: token })
      .chat.completions.create({ model: 'sim-small', max_tokens: 8, messages: user('rs256') })
      .withResponse();
    assert.ok(data.choices[0].message.content);
    const requestId = response.headers.get('x-request-id');
    const audit = await waitFor(async () => {
      const a = await admin(stack.gateway, `audit?request_id=${requestId}`);
      return a.records.length === 1 ? a : null;
    });
    assert.ok(audit, `no audit record for ${requestId}`);
    assert.equal(audit.records[0].principal, `jwt:${ENTRA}|alice`);
    assert.equal(audit.records[0].status, 200);
    const spend = await waitFor(async () => {
      const s = await admin(stack.gateway, 'spend?by=team&team=payments');
      return s.groups.length === 1 && s.groups[0].requests >= 2 ? s : null; // warm-up + this
    });
    assert.ok(spend, 'no spend booked to team payments');
    assert.equal(spend.groups[0].team, 'payments');
  });

  test('ES256 tokens are accepted: from the URL key set and from the file one', async () => {
    const entra = await stack
      .client({ apiKey: sign(entraEc, entraClaims({ sub: 'carol' })) })
      .chat.completions.create({ model: 'sim-small', max_tokens: 8, messages: user('es256') });
    assert.ok(entra.choices[0].message.content);
    // Keycloak's token through the Anthropic SDK (sent as x-api-key).
    const message = await stack
      .anthropic({ apiKey: sign(keycloakEc, keycloakClaims()) })
      .messages.create({ model: 'sim-small', max_tokens: 8, messages: [{ role: 'user', content: 'kc' }] });
    assert.equal(message.type, 'message');
    const audit = await waitFor(async () => {
      const a = await admin(stack.gateway, `audit?principal=${encodeURIComponent(`jwt:${KEYCLOAK}|bob`)}`);
      return a.records.length === 1 ? a : null;
    });
    assert.ok(audit, 'no audit record of the Keycloak caller');
    const spend = await waitFor(async () => {
      const s = await admin(stack.gateway, 'spend?by=team&team=research');
      return s.groups.length === 1 ? s : null;
    });
    assert.ok(spend, 'no spend booked to team research (from org.team)');
  });

  test('mapped roles decide: a token that maps only to auditor may not call models', async () => {
    const token = sign(entraRsa, entraClaims({ sub: 'dave', roles: ['Switchyard.Audit'] }));
    const err = await rejection(
      stack.client({ apiKey: token }).chat.completions.create({ model: 'sim-small', messages: user('x') }),
    );
    assert.ok(err instanceof OpenAI.PermissionDeniedError, String(err));
    // The same token may read the audit trail.
    const res = await fetch(`${stack.gateway.url}/admin/v1/audit?limit=1`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(res.status, 200);
  });

  const bad = [
    ['expired', () => sign(entraRsa, entraClaims({ exp: nowS() - 3600 })), 'token_expired', /has expired/],
    ['not yet valid', () => sign(entraRsa, entraClaims({ nbf: nowS() + 3600 })), 'token_not_yet_valid', /not valid yet/],
    ['for another audience', () => sign(entraRsa, entraClaims({ aud: 'api://other' })), 'wrong_audience', /not meant for this gateway/],
    ['from another issuer', () => sign(entraRsa, entraClaims({ iss: 'https://evil.example.test/' })), 'wrong_issuer', /unknown issuer/],
    ['with an unknown kid', () => sign(makeKey('RS256', 'nobody'), entraClaims()), 'unknown_kid', /no RS256 key "nobody"/],
    ['with a bad signature', () => sign(stranger, entraClaims()), 'bad_signature', /signature verification failed/],
    ['with alg none', () => sign(entraRsa, entraClaims(), { header: { alg: 'none' } }), 'unsupported_alg', /"none" is not accepted/],
    [
      'with HS256 keyed by the RSA public key',
      () =>
        sign(entraRsa, entraClaims(), {
          header: { alg: 'HS256' },
          hmacSecret: entraRsa.publicKey.export({ type: 'spki', format: 'pem' }),
        }),
      'unsupported_alg',
      /"HS256" is not accepted/,
    ],
    ['without exp', () => sign(entraRsa, { ...entraClaims(), exp: undefined }), 'missing_claim', /no exp/],
  ];
  for (const [what, token, code, message] of bad) {
    test(`a token ${what} gets a 401 naming the check`, async () => {
      const err = await rejection(
        stack
          .client({ apiKey: token() })
          .chat.completions.create({ model: 'sim-small', max_tokens: 8, messages: user('bad') }),
      );
      assert.ok(err instanceof OpenAI.AuthenticationError, String(err));
      assert.equal(err.status, 401);
      assert.equal(err.type, 'authentication_error');
      assert.equal(err.code, code);
      assert.match(err.message, message);
    });
  }

  test('the Anthropic API refuses an expired token in its own shape', async () => {
    const err = await rejection(
      stack
        .anthropic({ apiKey: sign(keycloakEc, keycloakClaims({ exp: nowS() - 3600 })) })
        .messages.create({ model: 'sim-small', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] }),
    );
    assert.ok(err instanceof Anthropic.AuthenticationError, String(err));
    assert.equal(err.error.type, 'error');
    assert.equal(err.error.error.type, 'authentication_error');
    assert.match(err.error.error.message, /has expired/);
  });

  test('a key rotation: a token with the new kid is accepted once the key set is refetched', async () => {
    const before = jwks.fetches;
    jwks.keys = [entraNext]; // the IdP rotates and retires the old key
    const client = stack.client({ apiKey: sign(entraNext, entraClaims({ sub: 'erin' })) });
    const call = () =>
      client.chat.completions.create({ model: 'sim-small', max_tokens: 8, messages: user('rotated') });
    // The first token with the new kid triggers the refetch (at most one per
    // jwks_min_refetch_s); it may itself be refused with unknown_kid.
    const accepted = await waitFor(
      async () => {
        try {
          return await call();
        } catch (err) {
          assert.equal(err.code, 'unknown_kid', String(err));
          return null;
        }
      },
      { timeoutMs: 10_000, intervalMs: 200 },
    );
    assert.ok(accepted, 'a token signed with the rotated key was never accepted');
    assert.ok(jwks.fetches > before, 'the key set was not fetched again');
    // The retired key no longer verifies.
    const err = await rejection(
      stack
        .client({ apiKey: sign(entraRsa, entraClaims()) })
        .chat.completions.create({ model: 'sim-small', max_tokens: 8, messages: user('old') }),
    );
    assert.equal(err.code, 'unknown_kid');
  });
});

// ---- Rate limits ---------------------------------------------------------------------

describe('rate limits through the gateway', () => {
  const TPM = 100;
  let stack;
  before(async () => {
    const config = writeConfig(
      'rate.yaml',
      `data_dir: ./data
server: {access_log: false}
auth:
  require: true
  keys:
    - {id: rl-a, key: sk-rl-a, team: ta}
    - {id: rl-b, key: sk-rl-b, team: ta}
    - {id: rl-t, key: sk-rl-t, team: tb}
rate_limits:
  - {id: key-rpm, scope: key, match: "*", rpm: 3}
  - {id: team-tb-tpm, scope: team, match: tb, tpm: ${TPM}}
${PROVIDER}`,
    );
    stack = await startStack({ config });
  });
  after(() => stack?.stop());

  test('the 4th request of a key in a minute is a 429 naming the limit, in both APIs', async () => {
    const openai = stack.client({ apiKey: 'sk-rl-a' });
    const anthropic = stack.anthropic({ apiKey: 'sk-rl-a' });
    // Three admitted: a plain request, a stream and an Anthropic stream all count.
    await openai.chat.completions.create({ model: 'sim-small', max_tokens: 8, messages: user('1') });
    const chunks = await collect(
      await openai.chat.completions.create({ model: 'sim-small', max_tokens: 8, stream: true, messages: user('2') }),
    );
    assert.ok(chunks.length > 1);
    const final = await anthropic.messages
      .stream({ model: 'sim-small', max_tokens: 8, messages: [{ role: 'user', content: '3' }] })
      .finalMessage();
    assert.equal(final.type, 'message');

    const err = await rejection(
      openai.chat.completions.create({ model: 'sim-small', max_tokens: 8, messages: user('4') }),
    );
    assert.ok(err instanceof OpenAI.RateLimitError, String(err));
    assert.equal(err.type, 'rate_limit_error');
    assert.equal(err.code, 'rate_limited');
    assert.match(err.message, /rate limit "key-rpm" exceeded/);
    // 3 a minute: the next one is due about 20 s after the burst.
    const after = retryAfter(err);
    assert.ok(after >= 1 && after <= 60, `retry-after ${after}`);

    const aerr = await rejection(
      anthropic.messages.create({ model: 'sim-small', max_tokens: 8, messages: [{ role: 'user', content: '5' }] }),
    );
    assert.ok(aerr instanceof Anthropic.RateLimitError, String(aerr));
    assert.equal(aerr.error.type, 'error');
    assert.equal(aerr.error.error.type, 'rate_limit_error');
    assert.match(aerr.error.error.message, /key-rpm/);
    const aafter = retryAfter(aerr);
    assert.ok(aafter >= 1 && aafter <= 60, `retry-after ${aafter}`);

    // A refused stream is refused before it starts.
    const serr = await rejection(
      openai.chat.completions.create({ model: 'sim-small', max_tokens: 8, stream: true, messages: user('6') }),
    );
    assert.equal(serr.status, 429);

    // Another key of the same team has its own counter.
    const other = await stack
      .client({ apiKey: 'sk-rl-b' })
      .chat.completions.create({ model: 'sim-small', max_tokens: 8, messages: user('b') });
    assert.ok(other.choices[0].message.content);
  });

  test('a team over its tokens per minute is refused after a streamed request used them', async () => {
    const client = stack.client({ apiKey: 'sk-rl-t' });
    // One streamed request whose tokens (read from its usage chunk) exceed the team's TPM.
    const chunks = await collect(
      await client.chat.completions.create({
        model: 'sim-small',
        max_tokens: 16,
        stream: true,
        stream_options: { include_usage: true },
        messages: user('count these tokens '.repeat(40)),
      }),
    );
    const usage = chunks.at(-1).usage;
    const used = usage.prompt_tokens + usage.completion_tokens;
    assert.ok(used > TPM, `the request used ${used} tokens, not more than ${TPM}`);
    const err = await rejection(
      client.chat.completions.create({ model: 'sim-small', max_tokens: 8, messages: user('again') }),
    );
    assert.ok(err instanceof OpenAI.RateLimitError, String(err));
    assert.equal(err.code, 'rate_limited');
    assert.match(err.message, /"team-tb-tpm"/);
    // The excess drains at TPM tokens a minute: no later than that.
    const after = retryAfter(err);
    assert.ok(after >= 1 && after <= Math.ceil((used * 60) / TPM), `retry-after ${after}`);
    // Team ta is not affected (rl-b has used one of its three requests).
    const other = await stack
      .client({ apiKey: 'sk-rl-b' })
      .chat.completions.create({ model: 'sim-small', max_tokens: 8, messages: user('b2') });
    assert.ok(other.choices[0].message.content);
  });
});

// ---- Two replicas sharing Redis ----------------------------------------------------------

// A redis-server of our own on a unix socket (no TCP port, nothing on disk).
class Redis {
  constructor(dir) {
    this.dir = dir;
    this.socket = path.join(dir, 'redis.sock');
  }
  async start() {
    this.child = spawn(
      'redis-server',
      ['--port', '0', '--unixsocket', this.socket, '--unixsocketperm', '700', '--save', '',
        '--appendonly', 'no', '--dir', this.dir],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    this.exit = new Promise((resolve) => this.child.once('exit', resolve));
    const up = await waitFor(async () => (await this.cli('ping').catch(() => '')) === 'PONG', {
      timeoutMs: 10_000,
      intervalMs: 50,
    });
    assert.ok(up, 'redis-server did not start');
  }
  async cli(...args) {
    const { stdout } = await run('redis-cli', ['-s', this.socket, ...args]);
    return stdout.trim();
  }
  async kill() {
    if (!this.child || this.child.exitCode !== null) return;
    this.child.kill('SIGKILL');
    await this.exit;
  }
}

describe('two replicas sharing budgets and rate limits in Redis', () => {
  let sim;
  let redis;
  let replicas = [];
  before(async () => {
    // Short: a unix socket path must fit in 107 bytes.
    const dir = fs.mkdtempSync(path.join('/tmp', 'sy-r-'));
    process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    redis = new Redis(dir);
    await redis.start();
    const config = writeConfig(
      'redis.yaml',
      `data_dir: ./data
server: {access_log: false}
limits: {backend: redis, redis_url: "unix:${redis.socket}", redis_timeout_ms: 250}
auth:
  require: true
  keys:
    - {id: spender, key: sk-spender, team: t1}
    - {id: rpm-key, key: sk-rpm, team: t2}
budgets:
  - {id: t1-total, scope: team, match: t1, period: total, limit_usd: 0.25, mode: hard}
rate_limits:
  - {id: rpm-key-5, scope: key, match: rpm-key, rpm: 5}
${PROVIDER}`,
    );
    sim = await startSim();
    // Each replica runs in its own directory: its own database and audit log.
    replicas = [await startGateway({ sim, config }), await startGateway({ sim, config })];
  });
  after(async () => {
    await Promise.all([...replicas.map((g) => g.stop()), sim?.stop()]);
    await redis?.kill();
  });

  test('200 concurrent requests over both replicas never jointly overspend $0.25', async () => {
    const clients = replicas.map((g) => g.client({ apiKey: 'sk-spender' }));
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) =>
        clients[i % 2].chat.completions.create({
          model: 'sim-small',
          max_tokens: 16,
          messages: user(`shared budget ${i}`),
        }),
      ),
    );
    const ok = results.filter((r) => r.status === 'fulfilled').map((r) => r.value);
    const refused = results.filter((r) => r.status === 'rejected').map((r) => r.reason);
    const spent = ok.reduce(
      (sum, d) => sum + ((d.usage.prompt_tokens + d.usage.completion_tokens) * 1000) / 1e6,
      0,
    );
    assert.ok(ok.length > 0 && refused.length > 0, `${ok.length} answered, ${refused.length} refused`);
    assert.ok(spent <= 0.25 + 1e-9, `spent $${spent} over $0.25 with ${ok.length} answers`);
    for (const err of refused) {
      assert.equal(err.status, 429, String(err));
      assert.equal(err.code, 'budget_exceeded', String(err));
      assert.match(err.message, /t1-total/);
    }
    // The one counter both replicas used: once every hold is settled, what Redis booked is
    // what the answers cost, and within the limit.
    const keys = (await redis.cli('--scan', '--pattern', 'sy:budget:t1-total:*')).split('\n');
    assert.equal(keys.length, 1, `budget counters: ${keys}`);
    const settled = await waitFor(async () => {
      const used = Number(await redis.cli('hget', keys[0], 'used'));
      const booked = Number(await redis.cli('hget', keys[0], 'spent'));
      return used === booked ? booked : null;
    });
    assert.ok(settled !== null, 'reservations were left held in Redis');
    assert.ok(settled <= 250_000, `Redis booked ${settled} micro-dollars`);
    assert.ok(Math.abs(settled - spent * 1e6) <= ok.length, `Redis ${settled} µ$, answers ${spent} $`);
  });

  test('a key limited to 5 requests a minute gets exactly 5 across both replicas', async () => {
    const clients = replicas.map((g) => g.client({ apiKey: 'sk-rpm' }));
    const results = await Promise.allSettled(
      Array.from({ length: 14 }, (_, i) =>
        clients[i % 2].chat.completions.create({ model: 'sim-small', max_tokens: 4, messages: user(`rpm ${i}`) }),
      ),
    );
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected').map((r) => r.reason);
    assert.equal(ok.length, 5);
    for (const err of refused) {
      assert.equal(err.status, 429, String(err));
      assert.equal(err.code, 'rate_limited');
      assert.match(err.message, /rpm-key-5/);
    }
  });

  test('with Redis gone both replicas fail closed with a 503 at once, and recover', async () => {
    await redis.kill();
    for (const g of replicas) {
      for (let i = 0; i < 2; i++) {
        // The SDK's own timeout would turn a hang into a different error.
        const err = await rejection(
          g
            .client({ apiKey: 'sk-spender', timeout: 10_000 })
            .chat.completions.create({ model: 'sim-small', max_tokens: 4, messages: user('no redis') }),
        );
        assert.ok(err instanceof OpenAI.InternalServerError, String(err));
        assert.equal(err.status, 503);
        assert.equal(err.code, 'redis_unavailable');
        assert.match(err.message, /Redis is unavailable/);
        retryAfter(err);
      }
    }
    await redis.start(); // the same socket; the counters start empty
    for (const g of replicas) {
      const back = await waitFor(
        async () =>
          g
            .client({ apiKey: 'sk-spender' })
            .chat.completions.create({ model: 'sim-small', max_tokens: 4, messages: user('back') })
            .catch(() => null),
        { timeoutMs: 15_000, intervalMs: 200 },
      );
      assert.ok(back, 'a replica did not reconnect to Redis');
    }
  });
});

// ---- Auth changes on reload ------------------------------------------------------------

describe('auth changes applied by a config reload', () => {
  const OLD = 'https://old-idp.example.test';
  const NEW = 'https://new-idp.example.test';
  const oldKey = makeKey('ES256', 'old-1');
  const newKey = makeKey('RS256', 'new-1');
  let stack;
  let configFile;

  function authConfig({ require, keys, issuer, key }) {
    const jwksFile = path.join(TMP, `reload-${key.kid}.json`);
    fs.writeFileSync(jwksFile, JSON.stringify({ keys: [key.jwk] }));
    return `data_dir: ./data
server: {access_log: false}
auth:
  require: ${require}
  keys:
${keys.map((k) => `    - {id: ${k}, key: sk-${k}, team: t}`).join('\n')}
  jwt:
    - {issuer: "${issuer}", audience: switchyard, jwks_file: ${jwksFile}, default_roles: [developer],
       jwks_min_refetch_s: 3600}  # no early refetch: what a reload reads, it reads itself
${PROVIDER}`;
  }
  const claims = (iss, extra = {}) => ({ iss, aud: 'switchyard', sub: 'u', exp: nowS() + 600, ...extra });
  const status = async (apiKey) => {
    try {
      await stack
        .client({ apiKey })
        .chat.completions.create({ model: 'sim-small', max_tokens: 4, messages: user('reload') });
      return 200;
    } catch (err) {
      return err.status ?? String(err);
    }
  };

  before(async () => {
    configFile = writeConfig(
      'reload.yaml',
      authConfig({ require: false, keys: ['keep', 'drop'], issuer: OLD, key: oldKey }),
    );
    stack = await startStack({ config: configFile });
  });
  after(() => stack?.stop());

  test('with auth.require off, a failing credential of ours is a 401 and a foreign one anonymous', async () => {
    assert.equal(await status('sk-drop'), 200);
    assert.equal(await status(sign(oldKey, claims(OLD))), 200);
    // Ours, failing: never served as anonymous.
    assert.equal(await status(sign(oldKey, claims(OLD, { exp: nowS() - 3600 }))), 401);
    assert.equal(await status('sk-sy-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'), 401);
    // Foreign: a provider key an SDK sends by habit, a token of an issuer we do not trust.
    assert.equal(await status('sk-proj-not-ours'), 200);
    assert.equal(await status(sign(newKey, claims(NEW))), 200);
  });

  test('SIGHUP with a key removed, another issuer and require on applies to the next request', async () => {
    fs.writeFileSync(
      configFile,
      authConfig({ require: true, keys: ['keep'], issuer: NEW, key: newKey }),
    );
    stack.gateway.proc.signal('SIGHUP');
    const dropped = await waitFor(async () => (await status('sk-drop')) === 401, { timeoutMs: 10_000 });
    assert.ok(dropped, 'the removed key still works after the reload');
    assert.equal(await status('sk-keep'), 200);
    assert.equal(await status(sign(newKey, claims(NEW))), 200);
    assert.equal(await status(sign(oldKey, claims(OLD))), 401);
    assert.equal(await status('sk-proj-not-ours'), 401);
  });

  test('SIGHUP alone reads an unchanged issuer\'s JWKS file again', async () => {
    const rotated = makeKey('ES256', 'new-2');
    // The config file stays as it is (so the file watcher sees nothing); only its key set
    // changes.
    fs.writeFileSync(path.join(TMP, `reload-${newKey.kid}.json`), JSON.stringify({ keys: [rotated.jwk] }));
    stack.gateway.proc.signal('SIGHUP');
    const accepted = await waitFor(async () => (await status(sign(rotated, claims(NEW)))) === 200, {
      timeoutMs: 10_000,
    });
    assert.ok(accepted, 'the key written to the JWKS file was not read on SIGHUP');
    assert.equal(await status(sign(newKey, claims(NEW))), 401, 'the retired key still verifies');
  });
});
