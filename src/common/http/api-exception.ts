import { HttpException } from '@nestjs/common';

/**
 * The admin API's error: rendered as {"error": code, "message": message, ...details}.
 * `code` is a stable machine-readable string (CONTRACT section 2); `message` is for people.
 */
export class ApiException extends HttpException {
  constructor(
    status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super({ error: code, message, ...details }, status);
  }
}
