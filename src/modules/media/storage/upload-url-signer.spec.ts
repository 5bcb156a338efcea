import { UploadUrlSigner } from './upload-url-signer';

describe('UploadUrlSigner (the local driver\'s presigned PUT)', () => {
  const signer = new UploadUrlSigner('x'.repeat(48));
  const key = 'merchants/a/b/photo.jpg';
  const query = (q: string) => Object.fromEntries(new URLSearchParams(q));
  const signed = () => query(signer.query(key, 'image/jpeg', 1234, new Date(Date.now() + 60_000)));

  it('accepts its own URL and tells the signed type and size', () => {
    expect(signer.verify(key, signed())).toEqual({ ok: true, contentType: 'image/jpeg', size: 1234 });
  });

  it.each([
    ['a changed size', { 'X-Media-Size': '99999' }],
    ['a changed type', { 'X-Media-Type': 'image/png' }],
    ['a later expiry', { 'X-Media-Expires': String(Math.floor(Date.now() / 1000) + 86_400) }],
    ['a forged signature', { 'X-Media-Signature': 'AAAA' }],
  ])('refuses %s', (_name, change) => {
    expect(signer.verify(key, { ...signed(), ...change })).toMatchObject({ ok: false, reason: expect.stringMatching(/signature does not match/) });
  });

  it('refuses another key, another secret, an expired or incomplete URL', () => {
    expect(signer.verify('merchants/a/b/other.jpg', signed()).ok).toBe(false);
    expect(new UploadUrlSigner('y'.repeat(48)).verify(key, signed()).ok).toBe(false);
    const old = query(signer.query(key, 'image/jpeg', 1234, new Date(Date.now() - 1_000)));
    expect(signer.verify(key, old)).toMatchObject({ ok: false, reason: expect.stringMatching(/expired/) });
    expect(signer.verify(key, {})).toMatchObject({ ok: false, reason: expect.stringMatching(/incomplete/) });
  });
});
