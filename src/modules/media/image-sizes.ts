import type Sharp from 'sharp';
import { SIZE_NAMES, SizeName } from './entities/media.entity';

/**
 * sharp (libvips, ~8 MB resident) is loaded on the first image read, not at import: the API only
 * needs it when an image is uploaded, and most processes never do (issue 9: API idle memory).
 */
let sharpModule: Promise<typeof Sharp> | undefined;
const loadSharp = (): Promise<typeof Sharp> => (sharpModule ??= import('sharp').then((m) => m.default));

/** The longest side of each resized version, in pixels. */
export const SIZE_BOXES: Record<SizeName, number> = { small: 200, medium: 600, large: 1200 };

/** Refuse decompression bombs: more pixels than a 100-megapixel photo is not a product image. */
export const MAX_INPUT_PIXELS = 100_000_000;

export class UndecodableImageError extends Error {
  override name = 'UndecodableImageError';
}

export interface ImageDimensions {
  width: number;
  height: number;
}

/** Width and height as displayed (EXIF orientations 5–8 swap them), reading only the header. */
export async function imageDimensions(input: string | Buffer): Promise<ImageDimensions> {
  const sharp = await loadSharp();
  try {
    const meta = await sharp(input, { limitInputPixels: MAX_INPUT_PIXELS }).metadata();
    if (!meta.width || !meta.height) throw new Error('no dimensions');
    if (meta.width * meta.height > MAX_INPUT_PIXELS) throw new Error(`${meta.width}×${meta.height} is more than ${MAX_INPUT_PIXELS} pixels`);
    const swapped = (meta.orientation ?? 1) >= 5;
    return swapped ? { width: meta.height, height: meta.width } : { width: meta.width, height: meta.height };
  } catch (err) {
    throw new UndecodableImageError(`not a decodable image (${(err as Error).message})`);
  }
}

/** The size a version gets: fit inside box × box, never larger than the original. */
export function fitInside(original: ImageDimensions, box: number): ImageDimensions {
  const scale = Math.min(1, box / Math.max(original.width, original.height));
  return { width: Math.max(1, Math.round(original.width * scale)), height: Math.max(1, Math.round(original.height * scale)) };
}

export interface RenderedSize extends ImageDimensions {
  names: SizeName[];
  webp: Buffer;
}

/**
 * The WebP versions of an image: one per distinct output size (a 500 px original gives `small` at
 * 200 px and one 500 px file shared by `medium` and `large`: nothing is upscaled).
 */
export async function renderSizes(input: string, original: ImageDimensions): Promise<RenderedSize[]> {
  const byWidth = new Map<string, { dims: ImageDimensions; names: SizeName[] }>();
  for (const name of SIZE_NAMES) {
    const dims = fitInside(original, SIZE_BOXES[name]);
    const key = `${dims.width}x${dims.height}`;
    byWidth.set(key, { dims, names: [...(byWidth.get(key)?.names ?? []), name] });
  }
  const sharp = await loadSharp();
  const out: RenderedSize[] = [];
  for (const { dims, names } of byWidth.values()) {
    try {
      const webp = await sharp(input, { limitInputPixels: MAX_INPUT_PIXELS })
        .autoOrient()
        .resize({ width: dims.width, height: dims.height, fit: 'fill' })
        .webp({ quality: 82, effort: 4 })
        .toBuffer();
      out.push({ ...dims, names, webp });
    } catch (err) {
      throw new UndecodableImageError(`could not be resized (${(err as Error).message})`);
    }
  }
  return out;
}
