import { ValidationPipe, type ArgumentMetadata, type ValidationError } from '@nestjs/common';
import { getMetadataStorage, IS_OPTIONAL } from 'class-validator';
import { ApiException } from '../http/api-exception.js';

type Constructor = abstract new (...args: never[]) => unknown;
const SCALARS = new Map<unknown, string>([
  [String, 'must be a string'],
  [Number, 'must be a number'],
  [Boolean, 'must be a boolean value'],
]);
const shapes = new WeakMap<Constructor, Map<string, unknown>>();
const optionals = new WeakMap<Constructor, Set<string>>();

/** The properties a DTO class declares validation for, each with its declared (design:) type; cached per class. */
function shapeOf(dto: Constructor): Map<string, unknown> {
  let shape = shapes.get(dto);
  if (!shape) {
    shape = new Map();
    const optional = new Set<string>();
    for (const m of getMetadataStorage().getTargetValidationMetadatas(dto as never, '', true, false)) {
      if (!shape.has(m.propertyName)) shape.set(m.propertyName, Reflect.getMetadata('design:type', dto.prototype as object, m.propertyName));
      if (m.name === IS_OPTIONAL) optional.add(m.propertyName);
    }
    shapes.set(dto, shape);
    optionals.set(dto, optional);
  }
  return shape;
}

/** The properties declared @IsOptional: class-validator skips every check on them when they are null, not only when absent. */
function optionalOf(dto: Constructor): Set<string> {
  shapeOf(dto);
  return optionals.get(dto)!;
}

/**
 * PostgreSQL text cannot hold U+0000: a string, or an element of an array the DTO declares,
 * carrying one is refused by name, not by the database (500). Nothing undeclared is looked into.
 */
function holdsNul(value: unknown, declared: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  return declared === Array && Array.isArray(value) && value.some((v) => typeof v === 'string' && v.includes('\u0000'));
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
    const refuse = (problem: string) => new ApiException(400, 'validation_failed', `${prefix}${key} ${problem}`, { field: `${prefix}${key}` });
    // @IsOptional lets null through every check, and the services read null as a value given
    // (null.trim(), NOT NULL columns: 500). Null is not "leave unchanged" either: in a JSON merge
    // patch it means "clear", which no optional field here allows, so say so.
    if (field === null && optionalOf(dto).has(key)) throw refuse('must not be null; leave it out to keep the current value');
    const isStructure = typeof field === 'object' && field !== null;
    const scalar = SCALARS.get(type);
    if (scalar && isStructure) throw refuse(scalar);
    if (holdsNul(field, type)) throw refuse('must not contain NUL characters');
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
    const isDto = typeof metadata.metatype === 'function' && metadata.metatype !== Object && !SCALARS.has(metadata.metatype);
    const isDtoBody = isDto && metadata.type === 'body';
    if (isDtoBody && (typeof value !== 'object' || value === null || Array.isArray(value))) {
      throw new ApiException(400, 'validation_failed', 'The request body must be a JSON object', { field: 'body' });
    }
    // A query DTO is cut the same way: its values are strings or arrays of them, ?search=%00 included.
    const isDtoQuery = isDto && metadata.type === 'query' && typeof value === 'object' && value !== null;
    if (isDtoBody || isDtoQuery) return super.transform(declaredOnly(value as Record<string, unknown>, metadata.metatype as Constructor, ''), metadata);
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
