import { HttpException, HttpStatus } from '@nestjs/common';

/** Every error code the API can answer with; clients switch on these, so they never change meaning. */
export enum ErrorCode {
  Validation = 'ERR_VALIDATION',
  BadRequest = 'ERR_BAD_REQUEST',
  MalformedJson = 'ERR_MALFORMED_JSON',
  UnsupportedMediaType = 'ERR_UNSUPPORTED_MEDIA_TYPE',
  PayloadTooLarge = 'ERR_PAYLOAD_TOO_LARGE',
  Unauthorized = 'ERR_UNAUTHORIZED',
  Forbidden = 'ERR_FORBIDDEN',
  NotFound = 'ERR_NOT_FOUND',
  MethodNotAllowed = 'ERR_METHOD_NOT_ALLOWED',
  Conflict = 'ERR_CONFLICT',
  /** A stock reservation (checkout, reserve) asked for more than is available. */
  OutOfStock = 'ERR_OUT_OF_STOCK',
  /** An order (or other state machine) cannot make the requested move from its current status. */
  InvalidState = 'ERR_INVALID_STATE',
  RateLimited = 'ERR_RATE_LIMITED',
  /** The payment provider (Stripe) refused our request or our credentials: ours to fix, not the client's. */
  PaymentProvider = 'ERR_PAYMENT_PROVIDER',
  ServiceUnavailable = 'ERR_SERVICE_UNAVAILABLE',
  Internal = 'ERR_INTERNAL',
}

export interface ErrorBody {
  code: string;
  message: string;
  detail: unknown;
  request_id?: string;
}

export interface ErrorEnvelope {
  success: false;
  error: ErrorBody;
}

/**
 * The one exception type services throw for expected failures. The envelope filter turns it into
 * `{success: false, error: {code, message, detail}}` with its status.
 */
export class AppException extends HttpException {
  constructor(
    readonly code: string,
    message: string,
    status: HttpStatus,
    readonly detail: unknown = null,
  ) {
    super({ code, message, detail }, status);
  }
}

export class NotFoundError extends AppException {
  constructor(entity: string, id?: string) {
    super(ErrorCode.NotFound, id ? `${entity} ${id} not found` : `${entity} not found`, HttpStatus.NOT_FOUND, id ? { entity, id } : { entity });
  }
}

export class ConflictError extends AppException {
  constructor(message: string, detail: unknown = null) {
    super(ErrorCode.Conflict, message, HttpStatus.CONFLICT, detail);
  }
}

export class OutOfStockError extends AppException {
  constructor(message: string, detail: unknown = null) {
    super(ErrorCode.OutOfStock, message, HttpStatus.CONFLICT, detail);
  }
}

export class ValidationError extends AppException {
  /** `fields` maps a field path to what is wrong with it, as the validation pipe reports it. */
  constructor(message: string, fields: Record<string, string[]> = {}) {
    super(ErrorCode.Validation, message, HttpStatus.UNPROCESSABLE_ENTITY, { fields });
  }
}

export class ForbiddenError extends AppException {
  constructor(message = 'You are not allowed to do this', detail: unknown = null) {
    super(ErrorCode.Forbidden, message, HttpStatus.FORBIDDEN, detail);
  }
}

export class UnauthorizedError extends AppException {
  constructor(message = 'Authentication required', detail: unknown = null) {
    super(ErrorCode.Unauthorized, message, HttpStatus.UNAUTHORIZED, detail);
  }
}
