import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode, ValidationError } from '@app/common';

const logger = new Logger('OAuth');

/** RFC 6749 §5.2 / RFC 8628 §3.5 error codes. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'authorization_pending'
  | 'slow_down'
  | 'expired_token'
  | 'access_denied';

export class OAuthError extends Error {
  constructor(
    readonly error: OAuthErrorCode,
    readonly description: string,
    readonly status = error === 'invalid_client' ? 401 : 400,
  ) {
    super(description);
  }
}

/**
 * OAuth clients (CLIs polling the device flow) parse `{"error": "authorization_pending"}` as the
 * RFC defines it, so the OAuth endpoints answer in that shape instead of the API's envelope;
 * `success: false` is added so envelope-reading clients still see a failure.
 */
@Catch()
export class OAuthErrorFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    let status = 400;
    let error: OAuthErrorCode = 'invalid_request';
    let description = 'The request is not valid';
    if (exception instanceof OAuthError) {
      ({ status, error, description } = exception);
    } else if (exception instanceof ValidationError) {
      description = exception.message;
      // RFC 6749 §5.2: a grant_type that is present but not one we support is unsupported_grant_type.
      const grantType = (host.switchToHttp().getRequest<FastifyRequest>().body as { grant_type?: unknown } | undefined)?.grant_type;
      const fields = (exception.detail as { fields?: Record<string, string[]> } | null)?.fields;
      if (fields?.grant_type && typeof grantType === 'string' && grantType !== '') error = 'unsupported_grant_type';
    } else if (exception instanceof HttpException && exception.getStatus() === 429) {
      status = 429;
      error = 'slow_down';
      description = 'Too many requests';
    } else if (exception instanceof HttpException && (exception.getResponse() as { code?: string })?.code === ErrorCode.Unauthorized) {
      error = 'invalid_grant';
      description = exception.message;
    } else if (!(exception instanceof HttpException) || exception.getStatus() >= 500) {
      logger.error({ err: exception }, 'Unhandled error on an OAuth endpoint');
      status = 500;
      error = 'invalid_request';
      description = 'Internal server error';
    }
    void reply
      .status(status)
      .header('cache-control', 'no-store')
      .send({ error, error_description: description, success: false });
  }
}
