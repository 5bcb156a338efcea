import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

export const BEARER_AUTH = 'bearer';
export const API_KEY_AUTH = 'api_key';

const ERROR_ENVELOPE_SCHEMA = {
  type: 'object',
  required: ['success', 'error'],
  properties: {
    success: { type: 'boolean', enum: [false] },
    error: {
      type: 'object',
      required: ['code', 'message', 'detail'],
      properties: {
        code: { type: 'string', example: 'ERR_VALIDATION' },
        message: { type: 'string' },
        detail: { nullable: true, description: 'Structured detail, e.g. {fields: {price: ["must be a positive number"]}}' },
        request_id: { type: 'string', description: 'Same as the X-Request-Id response header' },
      },
    },
  },
};

const ERRORS: Record<string, string> = {
  '400': 'Malformed request (bad JSON, bad header)',
  '401': 'Missing or invalid credentials',
  '403': 'Authenticated but not allowed',
  '404': 'Not found (also for another merchant\'s ids)',
  '409': 'Conflicts with the current state',
  '413': 'Body too large',
  '415': 'Unsupported Content-Type',
  '422': 'Validation failed; detail.fields lists each field',
  '429': 'Rate limited',
  '500': 'Unexpected error; no internals are included',
  '503': 'A dependency is unavailable',
};

/**
 * Every operation answers errors in one envelope; rather than repeating that on each handler, the
 * document gets it here: the common codes everywhere, 401/403 where auth applies, 404 where the
 * path names a resource. A handler's own description of a code wins.
 */
export function addErrorResponses(document: OpenAPIObject): OpenAPIObject {
  document.components ??= {};
  document.components.schemas ??= {};
  document.components.schemas.ErrorEnvelope = ERROR_ENVELOPE_SCHEMA;
  const ref = { $ref: '#/components/schemas/ErrorEnvelope' };
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of ['get', 'put', 'post', 'patch', 'delete'] as const) {
      const op = item[method];
      if (!op) continue;
      const secured = (op.security ?? document.security ?? []).some((s) => Object.keys(s).length > 0);
      const codes = ['422', '429', '500'];
      if (['post', 'put', 'patch'].includes(method)) codes.push('400', '413', '415');
      if (secured) codes.push('401', '403');
      if (path.includes('{')) codes.push('404');
      op.responses ??= {};
      for (const code of codes) {
        op.responses[code] ??= { description: ERRORS[code], content: { 'application/json': { schema: ref } } };
      }
    }
  }
  return document;
}

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Commerce Backend API')
    .setDescription(
      'Multi-merchant commerce backend. Business routes live under /api; errors use the envelope ' +
        '`{"success": false, "error": {"code", "message", "detail"}}`; money is a decimal string next to `currency`.',
    )
    .setVersion(process.env.npm_package_version ?? '0.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT or ock_ API key' }, BEARER_AUTH)
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'Merchant API key (ock_live_… / ock_test_…)' }, API_KEY_AUTH)
    .addTag('health', 'Liveness and readiness')
    .build();
  return addErrorResponses(SwaggerModule.createDocument(app, config, { operationIdFactory: (c, m) => `${c.replace(/Controller$/, '')}_${m}` }));
}
