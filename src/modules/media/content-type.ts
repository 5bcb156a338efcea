import { MEDIA_IMAGE_TYPES, MediaContentType } from '@app/common';

/** How many leading bytes detectContentType needs. */
export const SIGNATURE_BYTES = 64;

const ascii = (bytes: Buffer, start: number, end: number) => bytes.subarray(start, end).toString('latin1');

/** ISO-BMFF (`ftyp` box) brands that mean AVIF: the major brand or any compatible brand. */
function isAvif(bytes: Buffer): boolean {
  if (bytes.length < 16 || ascii(bytes, 4, 8) !== 'ftyp') return false;
  const boxSize = Math.min(bytes.readUInt32BE(0), bytes.length);
  if (boxSize < 16) return false;
  const brands = [ascii(bytes, 8, 12)];
  for (let offset = 16; offset + 4 <= boxSize; offset += 4) brands.push(ascii(bytes, offset, offset + 4));
  return brands.includes('avif') || brands.includes('avis');
}

/**
 * The type of a file from its first bytes (its "magic number"), never from its name or the type a
 * client declared. Only the types the media module accepts are recognised; anything else is null.
 */
export function detectContentType(head: Buffer): MediaContentType | null {
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  if (head.length >= 8 && head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (head.length >= 6 && ['GIF87a', 'GIF89a'].includes(ascii(head, 0, 6))) return 'image/gif';
  if (head.length >= 12 && ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'WEBP') return 'image/webp';
  if (isAvif(head)) return 'image/avif';
  if (head.length >= 5 && ascii(head, 0, 5) === '%PDF-') return 'application/pdf';
  return null;
}

export const isImageType = (type: string | null | undefined): boolean => (MEDIA_IMAGE_TYPES as readonly string[]).includes(type ?? '');

export const EXTENSIONS: Record<MediaContentType, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'image/avif': 'avif',
  'application/pdf': 'pdf',
};

const TYPE_BY_EXTENSION: Record<string, string> = { ...Object.fromEntries(Object.entries(EXTENSIONS).map(([type, ext]) => [ext, type])), jpeg: 'image/jpeg' };

/** The content type our own keys imply (their extension is chosen from the detected type). */
export function contentTypeOfKey(key: string): string {
  return TYPE_BY_EXTENSION[key.slice(key.lastIndexOf('.') + 1).toLowerCase()] ?? 'application/octet-stream';
}

/** A human name for messages: "a PDF", "a PNG image". */
export function describeType(type: string | null): string {
  if (!type) return 'of an unrecognised type';
  if (type === 'application/pdf') return 'a PDF';
  return `a ${EXTENSIONS[type as MediaContentType]?.toUpperCase() ?? type} image`;
}
