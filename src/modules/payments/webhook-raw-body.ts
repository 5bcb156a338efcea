import type { FastifyInstance } from 'fastify';

/** The URLs whose bodies are signed by their sender and must reach the handler as the exact bytes received. */
export const RAW_BODY_WEBHOOK_PATHS = ['/api/webhooks/stripe', '/webhooks/stripe'];

/** A content type only this module's parser handles; requests to the webhook URLs are switched to it. */
const RAW_WEBHOOK_CONTENT_TYPE = 'application/x-commerce-signed-webhook';

/**
 * Webhook bodies are kept as the raw Buffer (request.rawBody) and never parsed by the app's JSON
 * parser: that parser refuses some valid JSON (a `__proto__` key, which Stripe metadata may
 * carry), answers its own errors before the signature is looked at, and only runs for JSON
 * content types. The provider's verification parses the body itself once the signature holds.
 */
export function registerRawWebhookBodies(fastify: FastifyInstance, bodyLimit: number, paths: readonly string[] = RAW_BODY_WEBHOOK_PATHS): void {
  fastify.addContentTypeParser(RAW_WEBHOOK_CONTENT_TYPE, { parseAs: 'buffer', bodyLimit }, (request, body, done) => {
    (request as { rawBody?: Buffer }).rawBody = body as Buffer;
    done(null, body);
  });
  fastify.addHook('onRequest', (request, _reply, done) => {
    // Routing is done by onRequest: routeOptions.url is the matched route's path.
    if (request.method === 'POST' && paths.includes(request.routeOptions.url ?? '')) request.raw.headers['content-type'] = RAW_WEBHOOK_CONTENT_TYPE;
    done();
  });
}
