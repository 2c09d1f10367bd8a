import { ValidationPipe, type ArgumentMetadata, type ValidationError } from '@nestjs/common';
import { ApiException } from '../http/api-exception.js';

/** The first leaf error, with its dotted path (admin.email). */
function firstProblem(errors: ValidationError[], prefix = ''): { field: string; message: string } | null {
  for (const e of errors) {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const constraints = Object.entries(e.constraints ?? {});
    if (constraints.length > 0) {
      if (e.value === undefined || e.value === null) return { field, message: 'is required' };
      // Decorators report bottom-up; a type check (isString, isIn...) says most, so it wins.
      const [, raw] = constraints.find(([name]) => /^is[A-Z]/.test(name)) ?? constraints[0]!;
      // class-validator starts its messages with the property name; say the full path instead.
      const message = raw.startsWith(`${e.property} `) ? raw.slice(e.property.length + 1) : raw;
      return { field, message };
    }
    const nested = firstProblem(e.children ?? [], field);
    if (nested) return nested;
  }
  return null;
}

/** A DTO body must be a JSON object: arrays, strings and numbers are refused before validation. */
class LatchkeyValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const isDtoBody = metadata.type === 'body' && typeof metadata.metatype === 'function' && metadata.metatype !== Object;
    if (isDtoBody && (typeof value !== 'object' || value === null || Array.isArray(value))) {
      throw new ApiException(400, 'validation_failed', 'The request body must be a JSON object', { field: 'body' });
    }
    return super.transform(value, metadata);
  }
}

/** Validates DTOs; a failure is 400 `validation_failed` naming the field and what is wrong. */
export function createValidationPipe(): ValidationPipe {
  return new LatchkeyValidationPipe({
    whitelist: true,
    transform: true,
    forbidUnknownValues: true,
    exceptionFactory: (errors) => {
      const problem = firstProblem(errors) ?? { field: 'body', message: 'is not valid' };
      return new ApiException(400, 'validation_failed', `${problem.field} ${problem.message}`, { field: problem.field });
    },
  });
}
