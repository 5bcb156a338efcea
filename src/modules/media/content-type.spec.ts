import { detectContentType } from './content-type';
import { keySlug, OBJECT_KEY, originalKey, sanitizeFileName, sizeKey } from './file-names';

const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

describe('detectContentType (magic bytes)', () => {
  it.each([
    ['image/jpeg', bytes([0xff, 0xd8, 0xff, 0xe0], 'JFIF')],
    ['image/png', bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'IHDR')],
    ['image/gif', bytes('GIF89a', [1, 0, 1, 0])],
    ['image/gif', bytes('GIF87a', [1, 0, 1, 0])],
    ['image/webp', bytes('RIFF', [0, 0, 0, 0], 'WEBPVP8 ')],
    ['image/avif', bytes([0, 0, 0, 0x1c], 'ftypavif', [0, 0, 0, 0], 'avifmif1miaf')],
    ['image/avif', bytes([0, 0, 0, 0x1c], 'ftypmif1', [0, 0, 0, 0], 'mif1avifmiaf')],
    ['application/pdf', bytes('%PDF-1.7\n')],
  ])('recognises %s', (type, head) => {
    expect(detectContentType(head)).toBe(type);
  });

  it.each([
    ['HTML', bytes('<!doctype html><html>')],
    ['SVG (scriptable, never accepted)', bytes('<svg xmlns="http://www.w3.org/2000/svg">')],
    ['HEIC (an ftyp box that is not AVIF)', bytes([0, 0, 0, 0x18], 'ftypheic', [0, 0, 0, 0], 'mif1heic')],
    ['a truncated PNG signature', bytes([0x89, 0x50, 0x4e])],
    ['nothing', Buffer.alloc(0)],
    ['a PDF marker not at the start', bytes(' %PDF-1.4')],
  ])('refuses %s', (_name, head) => {
    expect(detectContentType(head)).toBeNull();
  });
});

describe('file names and keys', () => {
  it('keeps a readable name but drops directories, control and shell characters, and fixes the extension', () => {
    expect(sanitizeFileName('../../etc/passwd.jpg', 'image/png')).toBe('passwd.png');
    expect(sanitizeFileName('C:\\Users\\me\\Summer "Dress".JPG', 'image/jpeg')).toBe('Summer _Dress_.jpg');
    expect(sanitizeFileName('bad\u0000name\u202e.gif', 'image/gif')).toBe('badname.gif');
    expect(sanitizeFileName('...hidden', 'application/pdf')).toBe('hidden.pdf');
    expect(sanitizeFileName('', 'image/webp')).toBe('image.webp');
    expect(sanitizeFileName(undefined, 'application/pdf')).toBe('file.pdf');
    expect(sanitizeFileName('x'.repeat(500), 'image/jpeg')).toHaveLength(200);
  });

  it('builds merchant-scoped keys from an ASCII slug; sizes sit beside the original', () => {
    const merchant = '11111111-1111-4111-8111-111111111111';
    const media = '22222222-2222-4222-8222-222222222222';
    expect(keySlug('Été 2024 (1).JPG')).toBe('ete-2024-1');
    expect(keySlug('画像.png')).toBe('file');
    const key = originalKey(merchant, media, 'Été 2024.jpg', 'image/jpeg');
    expect(key).toBe(`merchants/${merchant}/${media}/ete-2024.jpg`);
    expect(sizeKey(key, 600)).toBe(`merchants/${merchant}/${media}/ete-2024-600w.webp`);
    expect(OBJECT_KEY.test(key) && OBJECT_KEY.test(sizeKey(key, 600))).toBe(true);
    expect(OBJECT_KEY.test(`merchants/${merchant}/${media}/../../x.jpg`)).toBe(false);
    expect(OBJECT_KEY.test(`.incoming/${media}`)).toBe(false);
  });
});
