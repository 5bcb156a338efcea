import { escapeHtml as escape, htmlPage } from '@app/common';

const STYLE = `
  label { display: block; margin: 1rem 0 .3rem; font-weight: 600; }
  input { width: 100%; box-sizing: border-box; padding: .6rem; font-size: 1rem; border: 1px solid #ccd; border-radius: 6px; }
  input[name=user_code] { letter-spacing: .2em; text-transform: uppercase; font-family: monospace; }
  button { flex: 1; padding: .7rem; font-size: 1rem; border-radius: 6px; border: 0; cursor: pointer; }
  button[value=approve] { background: #1a73e8; color: #fff; }
  button[value=deny] { background: #e8eaed; }
  .error { background: #fdecea; color: #a50e0e; padding: .7rem; border-radius: 6px; }
  .ok { background: #e6f4ea; color: #137333; padding: .7rem; border-radius: 6px; }
`;

const page = (title: string, body: string): string => htmlPage(title, body, STYLE);

/** The sign-in-and-approve form: no script, so it works under the API's strict CSP. */
export function deviceFormPage(options: { userCode?: string; email?: string; error?: string } = {}): string {
  return page(
    'Connect a device',
    `<h1>Connect a device</h1>
<p>Enter the code shown by your command-line tool, sign in, and approve it.</p>
${options.error ? `<p class="error" role="alert">${escape(options.error)}</p>` : ''}
<form method="post" action="/device">
  <label for="user_code">Code</label>
  <input id="user_code" name="user_code" required maxlength="9" autocomplete="off" placeholder="XXXX-XXXX" value="${escape(options.userCode ?? '')}">
  <label for="email">Email</label>
  <input id="email" name="email" type="email" required autocomplete="username" value="${escape(options.email ?? '')}">
  <label for="password">Password</label>
  <input id="password" name="password" type="password" required autocomplete="current-password">
  <div class="actions">
    <button type="submit" name="action" value="approve">Approve</button>
    <button type="submit" name="action" value="deny">Deny</button>
  </div>
</form>`,
  );
}

export function deviceDonePage(approved: boolean, clientId: string): string {
  return page(
    approved ? 'Device connected' : 'Device denied',
    approved
      ? `<h1>Device connected</h1><p class="ok" role="status">${escape(clientId)} is now signed in. You can return to your terminal.</p>`
      : `<h1>Device denied</h1><p class="ok" role="status">${escape(clientId)} was not given access.</p>`,
  );
}
