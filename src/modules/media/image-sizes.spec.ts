import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { fitInside, imageDimensions, renderSizes, UndecodableImageError } from './image-sizes';

describe('image sizes', () => {
  it('fits the longest side into the box and never upscales', () => {
    expect(fitInside({ width: 1600, height: 800 }, 200)).toEqual({ width: 200, height: 100 });
    expect(fitInside({ width: 800, height: 1600 }, 600)).toEqual({ width: 300, height: 600 });
    expect(fitInside({ width: 500, height: 250 }, 1200)).toEqual({ width: 500, height: 250 });
    expect(fitInside({ width: 3000, height: 1 }, 200)).toEqual({ width: 200, height: 1 });
  });

  it('renders one WebP per distinct size, shared by the names it serves', async () => {
    const png = await sharp({ create: { width: 500, height: 250, channels: 3, background: '#c33' } }).png().toBuffer();
    const path = join(tmpdir(), `sizes-${process.pid}.png`);
    writeFileSync(path, png);
    const sizes = await renderSizes(path, await imageDimensions(path));
    expect(sizes.map((s) => [s.names, s.width, s.height])).toEqual([
      [['small'], 200, 100],
      [['medium', 'large'], 500, 250],
    ]);
    const meta = await sharp(sizes[0].webp).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['webp', 200, 100]);
    rmSync(path);
  });

  it('reports undecodable input as such', async () => {
    await expect(imageDimensions(Buffer.from('%PDF-1.4 not an image'))).rejects.toThrow(UndecodableImageError);
  });
});
