import { QueryFailedError } from 'typeorm';

/** True for PostgreSQL's unique_violation (23505), optionally on one named constraint/index. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const driverError = err instanceof QueryFailedError ? (err.driverError as { code?: string; constraint?: string }) : (err as { code?: string; constraint?: string } | null);
  if (!driverError || driverError.code !== '23505') return false;
  return constraint === undefined || driverError.constraint === constraint;
}
