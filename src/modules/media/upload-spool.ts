import type {} from '@fastify/multipart'; // FastifyRequest.parts()
import { HttpStatus } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppException, ErrorCode, ValidationError } from '@app/common';
import { SIGNATURE_BYTES } from './content-type';

export interface SpooledFile {
  path: string;
  bytes: number;
  /** The name the client gave (unsanitised). */
  fileName: string;
  fieldName: string;
}

/** A fresh temporary path for a file on its way to storage. */
export async function tempFilePath(): Promise<string> {
  const dir = join(tmpdir(), 'commerce-media');
  await mkdir(dir, { recursive: true });
  return join(dir, randomUUID());
}

export async function removeTempFiles(files: { path: string }[]): Promise<void> {
  await Promise.all(files.map((f) => rm(f.path, { force: true })));
}

/** The first bytes of a file, for its signature. */
export async function readHead(path: string, length = SIGNATURE_BYTES): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

export const tooLarge = (maxBytes: number) =>
  new AppException(ErrorCode.PayloadTooLarge, `The file is larger than the limit of ${maxBytes} bytes`, HttpStatus.PAYLOAD_TOO_LARGE, { max_bytes: maxBytes });

/**
 * Streams the multipart request's file parts to temporary files (never the whole file in memory),
 * each capped at maxBytes (413 beyond). The caller checks and stores them, then removes them.
 * Form fields are returned alongside.
 */
export async function spoolMultipartFiles(
  request: FastifyRequest,
  options: { maxBytes: number; maxFiles: number },
): Promise<{ files: SpooledFile[]; fields: Record<string, string> }> {
  const files: SpooledFile[] = [];
  const fields: Record<string, string> = {};
  try {
    const parts = request.parts({ limits: { fileSize: options.maxBytes, files: options.maxFiles, fields: 20, parts: options.maxFiles + 20 } });
    for await (const part of parts) {
      if (part.type === 'field') {
        fields[part.fieldname] = String(part.value).slice(0, 2000);
        continue;
      }
      const file: SpooledFile = { path: await tempFilePath(), bytes: 0, fileName: part.filename ?? '', fieldName: part.fieldname };
      files.push(file);
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          file.bytes += chunk.length;
          callback(null, chunk);
        },
      });
      await pipeline(part.file, counter, createWriteStream(file.path));
      if (part.file.truncated) throw tooLarge(options.maxBytes);
    }
  } catch (err) {
    await removeTempFiles(files);
    // Whatever the client still sends is read and dropped, so it gets our answer instead of a reset.
    request.raw.resume();
    if ((err as { code?: string })?.code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge(options.maxBytes);
    throw err;
  }
  if (files.length === 0) {
    throw new ValidationError('file: a file is required in the multipart field "file"', { file: ['is required'] });
  }
  return { files, fields };
}
