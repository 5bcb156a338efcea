import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';

export class LivenessDto {
  @ApiProperty({ enum: ['ok'] }) status: 'ok';
  @ApiProperty({ description: 'Seconds since the process started' }) uptime_seconds: number;
  @ApiProperty() version: string;
}

export class DependencyCheckDto {
  @ApiProperty({ enum: ['up', 'down'] }) status: 'up' | 'down';
  @ApiProperty() latency_ms: number;
  @ApiPropertyOptional() error?: string;
}

export class WorkerStatusDto {
  @ApiProperty({ enum: ['up', 'down'] }) status: 'up' | 'down';
  @ApiProperty({ type: [Object], example: [{ id: 'host:1234', last_seen: '2026-01-01T00:00:00.000Z' }] })
  instances: { id: string; last_seen: string }[];
}

@ApiExtraModels(DependencyCheckDto)
export class ReadinessDto {
  @ApiProperty({ enum: ['ok', 'error'] }) status: 'ok' | 'error';
  @ApiProperty({ type: 'object', additionalProperties: { $ref: getSchemaPath(DependencyCheckDto) }, example: { database: { status: 'up', latency_ms: 1 } } })
  checks: Record<string, DependencyCheckDto>;
  @ApiPropertyOptional({ type: [String], description: 'Names of failing dependencies' }) failing?: string[];
  @ApiPropertyOptional({ type: WorkerStatusDto, description: 'Informational: the API stays ready without a worker' })
  workers?: WorkerStatusDto;
}
