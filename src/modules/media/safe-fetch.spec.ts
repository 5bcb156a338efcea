import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertPublicUrl, fetchToFile, FetchFailedError, FetchRefusedError, isPublicAddress, parseImageUrl } from './safe-fetch';

describe('isPublicAddress', () => {
  it.each([
    '127.0.0.1', '127.8.9.10', '10.0.0.1', '10.255.255.255', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254',
    '100.64.0.1', '0.0.0.0', '224.0.0.1', '255.255.255.255', '198.18.0.1', '192.0.2.10',
    '::1', '::', 'fe80::1', 'fe80::1%eth0', 'fc00::1', 'fd12:3456::1', 'ff02::1', '2001:db8::1',
    '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1', '::ffff:169.254.169.254', '64:ff9b::a9fe:a9fe', '2002:a00:1::1', '::127.0.0.1',
    'not-an-ip', '',
  ])('refuses %s', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '::ffff:93.184.216.34', '2a00:1450:4007:80e::200e'])(
    'accepts %s',
    (address) => {
      expect(isPublicAddress(address)).toBe(true);
    },
  );
});

describe('image URL checks before any connection', () => {
  it.each([
    ['http://127.0.0.1/x.png', /127.0.0.1 is a private/],
    ['http://10.1.2.3/x.png', /10.1.2.3 is a private/],
    ['http://169.254.169.254/latest/meta-data/', /169.254.169.254 is a private/],
    ['http://[::1]:8080/x.png', /::1 is a private/],
    ['http://2130706433/x.png', /127.0.0.1 is a private/], // decimal form of 127.0.0.1, normalised by the URL parser
    ['http://0x7f.1/x.png', /127.0.0.1 is a private/],
    ['http://localhost/x.png', /localhost resolves to .* private/],
    ['ftp://example.com/x.png', /http or https/],
    ['file:///etc/passwd', /http or https/],
    ['http://user:pass@example.com/x.png', /credentials/],
    ['not a url', /not a URL/],
  ])('refuses %s', async (url, message) => {
    await expect(assertPublicUrl(url, false)).rejects.toThrow(message);
  });

  it('lets tests reach private addresses only when told to', async () => {
    await expect(assertPublicUrl('http://127.0.0.1:1/x.png', true)).resolves.toBeInstanceOf(URL);
    expect(() => parseImageUrl('gopher://127.0.0.1/')).toThrow(FetchRefusedError);
  });
});

describe('fetchToFile', () => {
  let server: Server;
  let base: string;
  let dir: string;
  const options = { timeoutMs: 1_000, maxBytes: 1_000, allowPrivate: true };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'safe-fetch-'));
    server = createServer((req, res) => {
      if (req.url === '/ok') return res.end(Buffer.alloc(100, 1));
      if (req.url === '/big') return res.end(Buffer.alloc(5_000, 1));
      if (req.url === '/big-unannounced') {
        res.write(Buffer.alloc(800, 1));
        return setTimeout(() => res.end(Buffer.alloc(800, 1)), 10);
      }
      if (req.url === '/slow') return setTimeout(() => res.end('late'), 3_000);
      if (req.url === '/redirect') return res.writeHead(302, { location: '/ok' }).end();
      if (req.url === '/loop') return res.writeHead(302, { location: '/loop' }).end();
      if (req.url === '/missing') return res.writeHead(404).end();
      return res.writeHead(503).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });
  const target = () => join(dir, Math.random().toString(36).slice(2));

  it('downloads, following redirects', async () => {
    await expect(fetchToFile(`${base}/redirect`, target(), options)).resolves.toMatchObject({ bytes: 100, url: `${base}/ok` });
  });

  it('refuses the loopback server when private addresses are not allowed, by IP and by name', async () => {
    await expect(fetchToFile(`${base}/ok`, target(), { ...options, allowPrivate: false })).rejects.toThrow(FetchRefusedError);
    const port = new URL(base).port;
    // localhost passes the URL check but is stopped at DNS resolution, before connecting.
    await expect(fetchToFile(`http://localhost:${port}/ok`, target(), { ...options, allowPrivate: false })).rejects.toThrow(/localhost resolves to/);
  });

  it('caps the size, announced or not', async () => {
    await expect(fetchToFile(`${base}/big`, target(), options)).rejects.toThrow(/5000 bytes; the limit is 1000/);
    await expect(fetchToFile(`${base}/big-unannounced`, target(), options)).rejects.toThrow(/larger than the limit/);
  });

  it('times out, stops redirect loops, and tells permanent from transient failures', async () => {
    await expect(fetchToFile(`${base}/slow`, target(), { ...options, timeoutMs: 200 })).rejects.toThrow(FetchFailedError);
    await expect(fetchToFile(`${base}/loop`, target(), options)).rejects.toThrow(/too many redirects/);
    await expect(fetchToFile(`${base}/missing`, target(), options)).rejects.toThrow(FetchRefusedError);
    await expect(fetchToFile(`${base}/error`, target(), options)).rejects.toThrow(FetchFailedError);
  });
});
