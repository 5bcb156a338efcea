import { EXTENSIONS } from './content-type';
import { slugify, type MediaContentType } from '@app/common';

const MAX_NAME = 200;

/**
 * A client's file name made safe to store and show: no directories, control characters or
 * characters that mean something to shells and filesystems, no leading dots, at most 200
 * characters, and the extension of the type the file really is.
 */
export function sanitizeFileName(raw: string | null | undefined, type: MediaContentType): string {
  const ext = EXTENSIONS[type];
  const base = String(raw ?? '')
    .normalize('NFC')
    .split(/[\\/]/)
    .pop()!
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g, '')
    .replace(/[<>:"|?*`$;&'{}[\]]/g, '_')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^\.+/, '');
  const dot = base.lastIndexOf('.');
  const stem = (dot > 0 ? base.slice(0, dot) : base).trim().slice(0, MAX_NAME - ext.length - 1).trim();
  return `${stem || (type === 'application/pdf' ? 'file' : 'image')}.${ext}`;
}

/** A short ASCII slug of the name for object keys: `Été 2024 (1).JPG` → `ete-2024-1`. */
export function keySlug(fileName: string): string {
  const stem = fileName.replace(/\.[^.]*$/, '');
  return slugify(stem, 'file');
}

/**
 * Object keys are scoped to the merchant and made unique by the media id, so two uploads never
 * collide whatever their names: `merchants/<merchant>/<media>/<slug>.<ext>`; resized versions sit
 * beside the original as `<slug>-<width>w.webp`.
 */
export function originalKey(merchantId: string, mediaId: string, fileName: string, type: MediaContentType): string {
  return `merchants/${merchantId}/${mediaId}/${keySlug(fileName)}.${EXTENSIONS[type]}`;
}

export function sizeKey(originalObjectKey: string, width: number): string {
  return `${originalObjectKey.replace(/\.[^./]+$/, '')}-${width}w.webp`;
}

/** Keys this service writes: nothing else may be read, written or deleted through a driver. */
export const OBJECT_KEY = /^merchants\/[0-9a-f-]{36}\/[0-9a-f-]{36}\/[a-z0-9-]{1,60}(?:-\d{1,5}w)?\.(?:jpg|png|gif|webp|avif|pdf)$/;

export function assertObjectKey(key: string): string {
  if (!OBJECT_KEY.test(key)) throw new Error(`Not a media object key: ${key.slice(0, 200)}`);
  return key;
}
