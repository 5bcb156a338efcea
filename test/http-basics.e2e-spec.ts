import SwaggerParser from '@apidevtools/swagger-parser';
import { bootTestApp, TestApp } from './harness/app';
import { ProbeModule } from './support/probe.module';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('HTTP basics: envelope, validation, request ids, health, docs', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await bootTestApp({ imports: [ProbeModule], env: { BODY_LIMIT_BYTES: '2048', AUTH_RATE_LIMIT_PER_MINUTE: '3' } });
  });
  afterAll(() => t?.close());

  function expectEnvelope(res: { body: any; headers: Record<string, string> }, code: string) {
    expect(res.body).toEqual({
      success: false,
      error: { code, message: expect.any(String), detail: res.body.error?.detail ?? null, request_id: res.headers['x-request-id'] },
    });
    expect(res.body.error).toHaveProperty('detail');
    expect(res.headers['x-request-id']).toBeTruthy();
  }

  it('serves a valid request and strips unknown fields', async () => {
    const res = await t.http.post('/api/test-probe/echo').send({ name: 'a', quantity: 2, extra: 'dropped' }).expect(201);
    expect(res.body).toEqual({ name: 'a', quantity: 2 });
    expect(res.headers['x-request-id']).toMatch(UUID);
  });

  it('keeps a caller-supplied X-Request-Id and replaces an unsafe one', async () => {
    const kept = await t.http.get('/health').set('X-Request-Id', 'trace-abc.123').expect(200);
    expect(kept.headers['x-request-id']).toBe('trace-abc.123');
    const replaced = await t.http.get('/health').set('X-Request-Id', 'bad id with spaces').expect(200);
    expect(replaced.headers['x-request-id']).toMatch(UUID);
  });

  it('answers a wrong type with 422 and per-field detail', async () => {
    const res = await t.http.post('/api/test-probe/echo').send({ name: 'a', quantity: 'many' }).expect(422);
    expectEnvelope(res, 'ERR_VALIDATION');
    expect(Object.keys(res.body.error.detail.fields)).toEqual(['quantity']);
  });

  it('answers a missing required field and an out-of-range value with 422', async () => {
    const missing = await t.http.post('/api/test-probe/echo').send({ quantity: 1 }).expect(422);
    expectEnvelope(missing, 'ERR_VALIDATION');
    expect(missing.body.error.detail.fields.name).toBeDefined();
    const range = await t.http.post('/api/test-probe/echo').send({ name: 'a', quantity: 0 }).expect(422);
    expect(range.body.error.detail.fields.quantity[0]).toMatch(/not be less than 1/);
  });

  it('answers malformed JSON with 400', async () => {
    const res = await t.http.post('/api/test-probe/echo').set('Content-Type', 'application/json').send('{"name": "a",').expect(400);
    expectEnvelope(res, 'ERR_MALFORMED_JSON');
  });

  it('answers an unsupported content type with 415', async () => {
    const res = await t.http.post('/api/test-probe/echo').set('Content-Type', 'application/xml').send('<a/>').expect(415);
    expectEnvelope(res, 'ERR_UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers an oversized body with 413', async () => {
    const res = await t.http.post('/api/test-probe/echo').send({ name: 'x'.repeat(5000), quantity: 1 }).expect(413);
    expectEnvelope(res, 'ERR_PAYLOAD_TOO_LARGE');
  });

  it('answers an unexpected exception with a 500 that leaks nothing', async () => {
    const res = await t.http.get('/api/test-probe/boom').expect(500);
    expectEnvelope(res, 'ERR_INTERNAL');
    expect(JSON.stringify(res.body)).not.toMatch(/secret_table|\.ts|at \//);
  });

  it('passes an application error through with its code and detail', async () => {
    const res = await t.http.get('/api/test-probe/conflict').expect(409);
    expect(res.body.error).toMatchObject({ code: 'ERR_CONFLICT', message: 'Already there', detail: { field: 'sku' } });
  });

  it('answers unknown routes with a 404 envelope', async () => {
    const res = await t.http.get('/api/does-not-exist').expect(404);
    expectEnvelope(res, 'ERR_NOT_FOUND');
  });

  it('rate-limits strict routes per client in Redis and answers 429 in the envelope', async () => {
    for (let i = 0; i < 3; i++) await t.http.post('/api/test-probe/login-like').expect(201);
    const res = await t.http.post('/api/test-probe/login-like').expect(429);
    expectEnvelope(res, 'ERR_RATE_LIMITED');
    expect(res.headers['retry-after']).toBeDefined();
    // The default limit still lets ordinary routes through.
    await t.http.post('/api/test-probe/echo').send({ name: 'a', quantity: 1 }).expect(201);
  });

  it('sets security headers', async () => {
    const res = await t.http.get('/health').expect(200);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['strict-transport-security']).toBeDefined();
  });

  it('answers /health, /health/db and /health/ready with 200', async () => {
    expect((await t.http.get('/health').expect(200)).body).toMatchObject({ status: 'ok' });
    expect((await t.http.get('/health/db').expect(200)).body).toMatchObject({ status: 'ok', checks: { database: { status: 'up' } } });
    const ready = await t.http.get('/health/ready').expect(200);
    expect(ready.body).toMatchObject({ status: 'ok', checks: { database: { status: 'up' }, redis: { status: 'up' } } });
    expect(ready.body.workers).toEqual({ status: 'down', instances: [] });
  });

  it('serves Swagger UI at /docs and a valid OpenAPI 3 document at /openapi.json', async () => {
    const docs = await t.http.get('/docs').redirects(1).expect(200);
    expect(docs.text).toMatch(/swagger-ui/i);
    const spec = (await t.http.get('/openapi.json').expect(200)).body;
    expect(spec.openapi).toMatch(/^3\./);
    await SwaggerParser.validate(structuredClone(spec));
    expect(spec.components.securitySchemes).toHaveProperty('bearer');
    expect(spec.components.securitySchemes).toHaveProperty('api_key');
    const probe = spec.paths['/api/test-probe/echo'].post;
    expect(probe.responses['422'].content['application/json'].schema.$ref).toBe('#/components/schemas/ErrorEnvelope');
    expect(spec.paths['/health/ready'].get.responses['503']).toBeDefined();
  });
});
