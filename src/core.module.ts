import { DynamicModule, Global, Module, RequestMethod } from '@nestjs/common';
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
          // Only the explicit route: nestjs-pino's default adds the prefix-excluded paths again,
          // which Nest already matches, and those requests were logged twice.
          forRoutes: [{ path: '{/*splat}', method: RequestMethod.ALL }],
          pinoHttp: {
            level: config.log.level,
            transport: config.log.pretty ? { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l' } } : undefined,
            base: { process: processName },
            // Fastify already chose the id (see requestIdFor); log under the same one.
            genReqId: (req) => (req as { id?: string }).id ?? String(req.headers['x-request-id'] ?? ''),
            customAttributeKeys: { reqId: 'request_id' },
            redact: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]'],
            serializers: {
              req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
              res: (res: { statusCode: number }) => ({ status: res.statusCode }),
            },
            // Middleware sees a path-stripped req.url; originalUrl is the path the client asked for.
            autoLogging: { ignore: (req) => ((req as { originalUrl?: string }).originalUrl ?? req.url ?? '').startsWith('/health') },
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
