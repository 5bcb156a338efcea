/** Text and attribute values for HTML. */
export const escapeHtml = (value: string): string =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const BASE_STYLE = `
  body { font-family: system-ui, sans-serif; background: #f5f6f8; margin: 0; }
  main { max-width: 420px; margin: 8vh auto; background: #fff; padding: 2rem; border-radius: 12px; box-shadow: 0 2px 12px #0001; }
  h1 { font-size: 1.3rem; margin-top: 0; }
  .actions { display: flex; gap: .8rem; margin-top: 1.5rem; }
`;

/**
 * The few pages the API serves itself (device sign-in, the test payment provider's checkout): one
 * card, inline CSS and no script, so they work under the API's strict CSP. `body` is trusted HTML.
 */
export function htmlPage(title: string, body: string, style = ''): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>${BASE_STYLE}${style}</style></head>
<body><main>${body}</main></body></html>`;
}
