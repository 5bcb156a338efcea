import { Module } from '@nestjs/common';
import { AnalyticsAnswerCache } from './analytics-answer-cache';
import { AnalyticsRebuildService } from './analytics-rebuild.service';
import { AnalyticsRollupService } from './analytics-rollup.service';
import { AnalyticsController, PlatformAnalyticsController } from './analytics.controller';
import { AnalyticsService } from './analytics.service';

/** Sales rollups fed by order events, the reports read from them (seed 004), and their rebuild. */
@Module({
  controllers: [AnalyticsController, PlatformAnalyticsController],
  providers: [AnalyticsRollupService, AnalyticsService, AnalyticsRebuildService, AnalyticsAnswerCache],
  exports: [AnalyticsRollupService, AnalyticsRebuildService],
})
export class AnalyticsModule {}
