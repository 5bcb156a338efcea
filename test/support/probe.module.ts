import { Body, Controller, Get, Module, Post } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsString, Max, MaxLength, Min } from 'class-validator';
import { ConflictError, Public, StrictRateLimit } from '@app/common';

export class ProbeDto {
  @ApiProperty() @IsString() @MaxLength(50)
  name: string;

  @ApiProperty() @IsInt() @Min(1) @Max(1000)
  quantity: number;
}

/** Test-only routes that exercise the global HTTP behaviour (validation, errors, rate limits). */
@Public()
@Controller('test-probe')
export class ProbeController {
  @Post('echo')
  echo(@Body() body: ProbeDto): ProbeDto {
    return body;
  }

  @Get('boom')
  boom(): never {
    throw new Error('relation "secret_table" does not exist at /srv/app/src/thing.ts:42');
  }

  @Get('conflict')
  conflict(): never {
    throw new ConflictError('Already there', { field: 'sku' });
  }

  @StrictRateLimit()
  @Post('login-like')
  loginLike(): { ok: true } {
    return { ok: true };
  }
}

@Module({ controllers: [ProbeController] })
export class ProbeModule {}
