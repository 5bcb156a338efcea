import { Module } from '@nestjs/common';
import { AnalyticsRollupService } from './analytics-rollup.service';

/** Sales rollups fed by order events (the reporting routes build on them). */
@Module({
  providers: [AnalyticsRollupService],
  exports: [AnalyticsRollupService],
})
export class AnalyticsModule {}
