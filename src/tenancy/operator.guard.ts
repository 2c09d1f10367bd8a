import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { constantTimeEquals } from '../common/crypto/tokens.js';
import { ApiException } from '../common/http/api-exception.js';
import { AppConfig } from '../config/app-config.js';

/**
 * The operator API: `Authorization: Bearer <OPERATOR_TOKEN>`. With no OPERATOR_TOKEN configured
 * the API does not exist (404), so it cannot be probed.
 */
@Injectable()
export class OperatorGuard implements CanActivate {
  constructor(private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const expected = this.config.OPERATOR_TOKEN;
    if (!expected) throw new ApiException(404, 'not_found', 'Not found');
    const header = context.switchToHttp().getRequest<FastifyRequest>().headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match || !constantTimeEquals(match[1] ?? '', expected)) {
      throw new ApiException(401, 'unauthenticated', 'A valid operator token is required (Authorization: Bearer <OPERATOR_TOKEN>)', {}, {
        'www-authenticate': 'Bearer',
      });
    }
    return true;
  }
}
