import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorEnvelope } from './app-exception';
import { toErrorResponse } from './to-error-response';

const logger = new Logger('Errors');

/** Writes the error envelope for a Fastify request; shared by the Nest filter and Fastify's own error handler. */
export function sendErrorEnvelope(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const { status, body, unexpected } = toErrorResponse(error);
  if (unexpected) {
    logger.error({ err: error, request_id: request.id, route: request.routeOptions?.url ?? request.url }, 'Unhandled error');
  }
  const envelope: ErrorEnvelope = { success: false, error: { ...body, request_id: String(request.id) } };
  if (status === 429) reply.header('retry-after', '60');
  void reply.status(status).header('content-type', 'application/json; charset=utf-8').send(envelope);
}

/** Every error leaves the API in one envelope, with no stack or SQL in it. */
@Catch()
export class ErrorEnvelopeFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendErrorEnvelope(exception, http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>());
  }
}
