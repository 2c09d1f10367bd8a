import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyReply } from 'fastify';
import type { DataSource } from 'typeorm';
import { Public } from '../common/decorators/public.decorator.js';
import { ShutdownState } from '../common/http/shutdown-state.js';

const READY_TIMEOUT_MS = 2000;

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly shutdown: ShutdownState,
  ) {}

  /** The process is up. */
  @Get()
  @HttpCode(200)
  live() {
    return { status: 'ok' };
  }

  /**
   * The service can do its work: the database answers and the process is not shutting down.
   * 503 otherwise: until the database answers again, or for good once a shutdown has begun.
   */
  @Get('ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    if (this.shutdown.draining) {
      reply.status(503);
      return { status: 'stopping' };
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.dataSource.query('SELECT 1'),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('timeout')), READY_TIMEOUT_MS);
        }),
      ]);
      return { status: 'ok', database: 'up' };
    } catch {
      reply.status(503);
      return { status: 'unavailable', database: 'down' };
    } finally {
      clearTimeout(timer);
    }
  }
}
