import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { Public } from '@app/common';
import type { FastifyReply } from 'fastify';
import { HealthService } from './health.service';
import { LivenessDto, ReadinessDto } from './health.dto';

/** Outside the /api prefix, unauthenticated and unthrottled: load balancers and orchestrators call these. */
@ApiTags('health')
@Public()
@SkipThrottle()
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get()
  @ApiOperation({ summary: 'Liveness: the process answers; touches no dependency' })
  @ApiOkResponse({ type: LivenessDto })
  live(): LivenessDto {
    return this.health.liveness();
  }

  @Get('db')
  @HttpCode(200)
  @ApiOperation({ summary: 'PostgreSQL reachable' })
  @ApiOkResponse({ type: ReadinessDto })
  @ApiServiceUnavailableResponse({ type: ReadinessDto })
  async db(@Res({ passthrough: true }) reply: FastifyReply): Promise<ReadinessDto> {
    const result = await this.health.readiness(['database']);
    if (result.status !== 'ok') void reply.status(503);
    return result;
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: PostgreSQL and Redis reachable; also reports live workers' })
  @ApiOkResponse({ type: ReadinessDto })
  @ApiServiceUnavailableResponse({ type: ReadinessDto, description: 'checks names the failing dependency' })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<ReadinessDto> {
    const result = await this.health.readiness(['database', 'redis'], { includeWorkers: true });
    if (result.status !== 'ok') void reply.status(503);
    return result;
  }
}
