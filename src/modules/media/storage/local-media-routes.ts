import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createWriteStream } from 'node:fs';
import { link, mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppConfig, AppException, ErrorCode, ForbiddenError, NotFoundError, sendErrorEnvelope } from '@app/common';
import { HttpStatus } from '@nestjs/common';
import { OBJECT_KEY } from '../file-names';
import { contentTypeOfKey, isImageType } from '../content-type';
import { createStorageDriver } from './storage.provider';
import { LocalStorageDriver } from './local-storage.driver';

/** The public path of the local driver's files on the API (outside the /api prefix). */
export const LOCAL_MEDIA_PREFIX = '/media/';

const badRequest = (message: string, status = HttpStatus.BAD_REQUEST, code = ErrorCode.BadRequest) => new AppException(code, message, status);

/** Counts bytes on their way through and fails as soon as there are more than allowed. */
function byteLimit(max: number, counter: { bytes: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      counter.bytes += chunk.length;
      if (counter.bytes > max) callback(badRequest('The body is longer than the signed Content-Length'));
      else callback(null, chunk);
    },
  });
}

async function acceptUpload(driver: LocalStorageDriver, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const key = (request.params as { '*': string })['*'];
  if (!OBJECT_KEY.test(key)) throw new NotFoundError('Object');
  const verdict = driver.verifyUpload(key, request.query as Record<string, unknown>);
  if (!verdict.ok) throw new ForbiddenError(verdict.reason);
  const contentType = String(request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (contentType !== verdict.contentType) throw new ForbiddenError(`Content-Type must be ${verdict.contentType}, as signed`);
  const declared = request.headers['content-length'];
  if (declared === undefined) throw badRequest('Content-Length is required', HttpStatus.LENGTH_REQUIRED);
  if (Number(declared) !== verdict.size) throw new ForbiddenError(`Content-Length must be ${verdict.size}, as signed`);

  const temp = await driver.incomingPath();
  try {
    const counter = { bytes: 0 };
    await pipeline(request.body as Readable, byteLimit(verdict.size, counter), createWriteStream(temp));
    if (counter.bytes !== verdict.size) throw badRequest(`The body has ${counter.bytes} bytes; ${verdict.size} were signed`);
    const target = driver.pathOf(key);
    await mkdir(dirname(target), { recursive: true });
    // link() refuses to replace an existing file: one upload per object, verified once.
    await link(temp, target).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'EEXIST') throw badRequest('This object was already uploaded', HttpStatus.CONFLICT, ErrorCode.Conflict);
      throw err;
    });
  } finally {
    await rm(temp, { force: true });
  }
  void reply.status(200).send();
}

/**
 * The local driver's HTTP side, on the API's Fastify instance (outside Nest: these are file
 * transfers, not API calls): GET /media/<key> serves stored files (immutable, cacheable, usable
 * from other origins), PUT /media/<key>?<signature> takes a presigned direct upload. The PUT accepts
 * any body type in this plugin only; everywhere else unknown content types stay 415.
 */
export async function registerLocalMediaRoutes(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  if (config.media.driver !== 'local') return;
  const driver = (await createStorageDriver(config)) as LocalStorageDriver;
  await mkdir(driver.dir, { recursive: true });
  const maxBytes = Math.max(config.media.maxImageBytes, config.media.maxFileBytes);

  await app.register(async (instance: FastifyInstance) => {
    instance.removeAllContentTypeParsers();
    instance.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

    await instance.register(fastifyStatic, {
      root: driver.dir,
      prefix: LOCAL_MEDIA_PREFIX,
      decorateReply: false,
      index: false,
      list: false,
      dotfiles: 'deny',
      serveDotFiles: false,
      allowedPath: (pathName: string) => OBJECT_KEY.test(pathName.replace(/^\//, '')),
      maxAge: '365d',
      immutable: true,
      setHeaders: (reply: FastifyReply, path: string) => {
        // Storefronts on other origins show these images; helmet's default would forbid that.
        void reply.header('cross-origin-resource-policy', 'cross-origin');
        // Never rendered on the API's origin: anything but an image is a download.
        if (!isImageType(contentTypeOfKey(path))) void reply.header('content-disposition', 'attachment');
      },
    });

    instance.put(`${LOCAL_MEDIA_PREFIX}*`, { bodyLimit: maxBytes }, async (request, reply) => {
      try {
        await acceptUpload(driver, request, reply);
      } catch (err) {
        sendErrorEnvelope(err, request, reply);
      }
      return reply;
    });
  });
}
