import { signWebhook, verifyWebhook } from './webhook-signature';
import { webhookUrlProblem } from './webhook-url';

describe('webhook signatures', () => {
  it('verifies what it signs, and nothing else', () => {
    const header = signWebhook('s3cret-s3cret-s3cret', '{"a":1}', 1_800_000_000);
    expect(header).toMatch(/^t=1800000000,v1=[0-9a-f]{64}$/);
    expect(verifyWebhook('s3cret-s3cret-s3cret', '{"a":1}', header, 300, 1_800_000_100)).toBe(true);
    expect(verifyWebhook('s3cret-s3cret-s3cret', '{"a":2}', header, 300, 1_800_000_100)).toBe(false);
    expect(verifyWebhook('other-secret-value', '{"a":1}', header, 300, 1_800_000_100)).toBe(false);
    // Too old: a replayed delivery.
    expect(verifyWebhook('s3cret-s3cret-s3cret', '{"a":1}', header, 300, 1_800_001_000)).toBe(false);
    expect(verifyWebhook('s3cret-s3cret-s3cret', '{"a":1}', undefined)).toBe(false);
  });

  it('accepts only public https receivers in production-like environments', () => {
    expect(webhookUrlProblem('http://127.0.0.1:9000/hook', false)).toBeNull();
    expect(webhookUrlProblem('https://hooks.example.com/x', true)).toBeNull();
    expect(webhookUrlProblem('http://hooks.example.com/x', true)).toBe('must be https');
    for (const url of ['https://127.0.0.1/x', 'https://10.1.2.3/x', 'https://192.168.0.1/x', 'https://localhost/x', 'https://[::1]/x', 'https://169.254.169.254/x']) {
      expect([url, webhookUrlProblem(url, true)]).toEqual([url, expect.stringMatching(/public/)]);
    }
    expect(webhookUrlProblem('ftp://example.com', false)).toBe('must be http(s)');
    expect(webhookUrlProblem('https://user:pw@example.com', false)).toBe('must not carry credentials');
  });
});
