import { DynamicModule, Global, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig, AppConfigModule, OutboxService, QueueRegistry, RedisModule } from '@app/common';
import { DatabaseModule } from './database/database.module';

/** What both processes need: configuration, logs, Postgres, Redis, queue producers and the outbox. */
@Global()
@Module({})
export class CoreModule {
  static forRoot(config: AppConfig, processName: 'api' | 'worker' | 'cli'): DynamicModule {
    return {
      module: CoreModule,
      imports: [
        AppConfigModule.forRoot(config),
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.log.level,
            transport: config.log.pretty ? { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l' } } : undefined,
            base: { process: processName },
            // Fastify already chose the id (see requestIdFor); log under the same one.
            genReqId: (req) => (req as { id?: string }).id ?? String(req.headers['x-request-id'] ?? ''),
            customAttributeKeys: { reqId: 'request_id' },
            redact: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]'],
            serializers: { req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }) },
            autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/health') },
          },
        }),
        DatabaseModule,
        RedisModule,
      ],
      providers: [QueueRegistry, OutboxService],
      exports: [QueueRegistry, OutboxService],
    };
  }
}
