import { ValidationPipe, type ArgumentMetadata, type ValidationError } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
import { ApiException } from '../http/api-exception.js';

type Constructor = abstract new (...args: never[]) => unknown;
const SCALARS = new Map<unknown, string>([
  [String, 'must be a string'],
  [Number, 'must be a number'],
  [Boolean, 'must be a boolean value'],
]);
const shapes = new WeakMap<Constructor, Map<string, unknown>>();

/** The properties a DTO class declares validation for, each with its declared (design:) type; cached per class. */
function shapeOf(dto: Constructor): Map<string, unknown> {
  let shape = shapes.get(dto);
  if (!shape) {
    shape = new Map();
    for (const m of getMetadataStorage().getTargetValidationMetadatas(dto as never, '', true, false)) {
      if (!shape.has(m.propertyName)) shape.set(m.propertyName, Reflect.getMetadata('design:type', dto.prototype as object, m.propertyName));
    }
    shapes.set(dto, shape);
  }
  return shape;
}

/**
 * The body cut down to what the DTO declares, before class-transformer and class-validator see it.
 * Nest's pipe walks the whole value several times (closing array gaps, stripping prototype keys,
 * plainToInstance copying every nested array) before `whitelist` drops the unknown keys: 1 MiB of
 * nested arrays under an unknown key, or in `email`, cost 2–3 s on login. Here unknown keys are
 * dropped without being looked into, and an array or object where the DTO declares a string,
 * number or boolean is refused at once; nested DTOs are cut the same way. The cost is linear in
 * the declared fields, not in the body.
 */
function declaredOnly(value: Record<string, unknown>, dto: Constructor, prefix: string): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const [key, type] of shapeOf(dto)) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    const field = value[key];
    const isStructure = typeof field === 'object' && field !== null;
    const scalar = SCALARS.get(type);
    if (scalar && isStructure) {
      throw new ApiException(400, 'validation_failed', `${prefix}${key} ${scalar}`, { field: `${prefix}${key}` });
    }
    const nested = typeof type === 'function' && !SCALARS.has(type) && type !== Array && type !== Object && shapeOf(type as Constructor).size > 0;
    kept[key] = nested && isStructure && !Array.isArray(field) ? declaredOnly(field as Record<string, unknown>, type as Constructor, `${prefix}${key}.`) : field;
  }
  return kept;
}

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
    if (isDtoBody) return super.transform(declaredOnly(value as Record<string, unknown>, metadata.metatype as Constructor, ''), metadata);
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
