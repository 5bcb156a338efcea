import type { DeviceAuthorizationResponse } from '../../src/modules/identity/device-flow.service';
import type { TestApp } from '../harness/app';

export { DEVICE_CODE_GRANT } from '../../src/modules/identity/dto/oauth.dto';
import { DEVICE_CODE_GRANT } from '../../src/modules/identity/dto/oauth.dto';

export type DeviceCodes = DeviceAuthorizationResponse;

/** `POST /api/v1/oauth/device/authorize` (form-encoded, as a CLI sends it); throws unless 200. */
export async function startDeviceFlow(t: TestApp, clientId = 'bi-cli', scope?: string): Promise<DeviceCodes> {
  const res = await t.http
    .post('/api/v1/oauth/device/authorize')
    .type('form')
    .send({ client_id: clientId, ...(scope ? { scope } : {}) });
  if (res.status !== 200) throw new Error(`device authorize failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as DeviceCodes;
}

/** One poll of the token endpoint with the device_code grant; returns the raw response. */
export function pollDeviceToken(t: TestApp, deviceCode: string, clientId = 'bi-cli') {
  return t.http.post('/api/v1/oauth/token').type('form').send({ grant_type: DEVICE_CODE_GRANT, device_code: deviceCode, client_id: clientId });
}

/** The user's answer on the /device page, posted as the HTML form does. */
export function submitDevicePage(t: TestApp, form: { user_code: string; email: string; password: string; action: 'approve' | 'deny' }) {
  return t.http.post('/device').type('form').send(form);
}

const byUserCode = (userCode: string) => userCode.toUpperCase().replace(/[^A-Z]/g, '');

/** The stored row, found by its user code (shown with a dash, stored without). */
export async function deviceRow(t: TestApp, userCode: string): Promise<{ status: string; interval_seconds: number; last_polled_at: Date | null; user_id: string | null }> {
  const [row] = await t.dataSource.query(
    'SELECT status, interval_seconds, last_polled_at, user_id FROM device_authorizations WHERE user_code = $1',
    [byUserCode(userCode)],
  );
  return row;
}

/** Moves the last poll far enough back that the next poll respects the interval (no sleeping). */
export async function forgetLastPoll(t: TestApp, userCode: string): Promise<void> {
  await t.dataSource.query(`UPDATE device_authorizations SET last_polled_at = now() - interval '1 hour' WHERE user_code = $1`, [byUserCode(userCode)]);
}

export async function expireDeviceCode(t: TestApp, userCode: string): Promise<void> {
  await t.dataSource.query(`UPDATE device_authorizations SET expires_at = now() - interval '1 second' WHERE user_code = $1`, [byUserCode(userCode)]);
}
