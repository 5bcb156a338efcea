import { HttpException, HttpStatus } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import { EntityNotFoundError, QueryFailedError } from 'typeorm';
import { AppException, ErrorBody, ErrorCode } from './app-exception';

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: ErrorCode.BadRequest,
  401: ErrorCode.Unauthorized,
  403: ErrorCode.Forbidden,
  404: ErrorCode.NotFound,
  405: ErrorCode.MethodNotAllowed,
  409: ErrorCode.Conflict,
  413: ErrorCode.PayloadTooLarge,
  415: ErrorCode.UnsupportedMediaType,
  422: ErrorCode.Validation,
  429: ErrorCode.RateLimited,
  503: ErrorCode.ServiceUnavailable,
};

/** Fastify rejects some requests before Nest routes them; these are its codes we answer as 4xx. */
const FASTIFY_ERRORS: Record<string, { status: number; code: ErrorCode; message: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: ErrorCode.MalformedJson, message: 'Request body is not valid JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: ErrorCode.MalformedJson, message: 'Request body is empty but Content-Type is application/json' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: ErrorCode.UnsupportedMediaType, message: 'Unsupported Content-Type' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: ErrorCode.BadRequest, message: 'Content-Length does not match the body' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: ErrorCode.PayloadTooLarge, message: 'Request body is too large' },
  FST_REQ_FILE_TOO_LARGE: { status: 413, code: ErrorCode.PayloadTooLarge, message: 'Uploaded file is too large' },
  FST_PARTS_LIMIT: { status: 413, code: ErrorCode.PayloadTooLarge, message: 'Too many multipart parts' },
  FST_FILES_LIMIT: { status: 413, code: ErrorCode.PayloadTooLarge, message: 'Too many files' },
  FST_INVALID_MULTIPART_CONTENT_TYPE: { status: 415, code: ErrorCode.UnsupportedMediaType, message: 'Expected multipart/form-data' },
};

/**
 * SQLSTATE of api_error(jsonb) (migration ApiErrorFunction): a statement refused the request with
 * one of the API's errors, `{status, code, message, detail}`, carried as JSON in the error's DETAIL.
 */
const SQL_REFUSAL_STATE = 'CMERR';

/** The 4xx a statement raised through api_error(), or null for any other failure. */
function sqlRefusal(error: QueryFailedError): ErrorResponse | null {
  const driverError = error.driverError as { code?: string; detail?: string } | undefined;
  if (driverError?.code !== SQL_REFUSAL_STATE || !driverError.detail) return null;
  try {
    const refusal = JSON.parse(driverError.detail) as { status: number; code: ErrorCode; message: string; detail?: unknown };
    if (!(refusal.status >= 400 && refusal.status < 500)) return null;
    return { status: refusal.status, body: { code: refusal.code, message: refusal.message, detail: refusal.detail ?? null }, unexpected: false };
  } catch {
    return null;
  }
}

/** Postgres error codes that are the caller's fault, not ours. */
const PG_ERRORS: Record<string, { status: number; code: ErrorCode; message: string }> = {
  '23505': { status: 409, code: ErrorCode.Conflict, message: 'A record with these values already exists' },
  '23503': { status: 409, code: ErrorCode.Conflict, message: 'A referenced record does not exist or is still in use' },
  '40001': { status: 409, code: ErrorCode.Conflict, message: 'Concurrent update, please retry' },
  '40P01': { status: 409, code: ErrorCode.Conflict, message: 'Concurrent update, please retry' },
};

export interface ErrorResponse {
  status: number;
  body: Omit<ErrorBody, 'request_id'>;
  /** True when the error is ours (5xx): it is logged with its stack and its text is hidden. */
  unexpected: boolean;
}

function messageOf(response: unknown, fallback: string): string {
  if (typeof response === 'string') return response;
  const m = (response as { message?: unknown })?.message;
  if (typeof m === 'string') return m;
  if (Array.isArray(m)) return m.join('; ');
  return fallback;
}

/** Maps anything thrown while handling a request to the status and body of the error envelope. */
export function toErrorResponse(error: unknown): ErrorResponse {
  if (error instanceof AppException) {
    return { status: error.getStatus(), body: { code: error.code, message: error.message, detail: error.detail }, unexpected: false };
  }
  if (error instanceof ThrottlerException) {
    return { status: 429, body: { code: ErrorCode.RateLimited, message: 'Too many requests, slow down', detail: null }, unexpected: false };
  }
  // Nest wraps Fastify's own 4xx errors (bad JSON, too large…) in an HttpException with the original as cause.
  if (error instanceof HttpException && error.cause && typeof (error.cause as { code?: unknown }).code === 'string') {
    const known = FASTIFY_ERRORS[(error.cause as { code: string }).code];
    if (known) return { status: known.status, body: { code: known.code, message: known.message, detail: null }, unexpected: false };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    if (status >= 500) return internal();
    const code = CODE_BY_STATUS[status] ?? ErrorCode.BadRequest;
    return { status, body: { code, message: messageOf(error.getResponse(), error.message), detail: null }, unexpected: false };
  }
  if (error instanceof EntityNotFoundError) {
    return { status: 404, body: { code: ErrorCode.NotFound, message: 'Not found', detail: null }, unexpected: false };
  }
  if (error instanceof QueryFailedError) {
    const refusal = sqlRefusal(error);
    if (refusal) return refusal;
    const pg = PG_ERRORS[(error.driverError as { code?: string })?.code ?? ''];
    if (pg) return { status: pg.status, body: { code: pg.code, message: pg.message, detail: null }, unexpected: false };
    return internal();
  }
  const fastifyCode = (error as { code?: unknown })?.code;
  if (typeof fastifyCode === 'string' && FASTIFY_ERRORS[fastifyCode]) {
    const known = FASTIFY_ERRORS[fastifyCode];
    return { status: known.status, body: { code: known.code, message: known.message, detail: null }, unexpected: false };
  }
  // Other Fastify/plugin errors carry a 4xx statusCode of their own (e.g. a bad multipart boundary).
  const statusCode = (error as { statusCode?: unknown })?.statusCode;
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    const code = CODE_BY_STATUS[statusCode] ?? ErrorCode.BadRequest;
    return { status: statusCode, body: { code, message: messageOf(error, 'Bad request'), detail: null }, unexpected: false };
  }
  return internal();
}

function internal(): ErrorResponse {
  return {
    status: HttpStatus.INTERNAL_SERVER_ERROR,
    body: { code: ErrorCode.Internal, message: 'Internal server error', detail: null },
    unexpected: true,
  };
}
