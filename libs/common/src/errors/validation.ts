import { ValidationError as ClassValidatorError, ValidationPipe } from '@nestjs/common';
import { ValidationError } from './app-exception';
import { cacheValidationMetadata } from './validation-metadata-cache';

/** Flattens nested class-validator errors to `{ "items.0.price": ["must be positive"] }`. */
export function flattenValidationErrors(errors: ClassValidatorError[], parent = ''): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  for (const error of errors) {
    const path = parent ? `${parent}.${error.property}` : error.property;
    if (error.constraints) fields[path] = Object.values(error.constraints);
    if (error.children?.length) Object.assign(fields, flattenValidationErrors(error.children, path));
  }
  return fields;
}

/**
 * Unknown fields are dropped (deployed clients send extras the old backend ignored); wrong types,
 * out-of-range values and missing required fields are refused with 422 and per-field detail.
 */
export function createValidationPipe(): ValidationPipe {
  cacheValidationMetadata();
  return new ValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: false,
    forbidUnknownValues: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const fields = flattenValidationErrors(errors);
      const first = Object.entries(fields)[0];
      const message = first ? `${first[0]}: ${first[1][0]}` : 'Request is not valid';
      return new ValidationError(message, fields);
    },
  });
}
