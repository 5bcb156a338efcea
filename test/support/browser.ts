import { existsSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { Browser, chromium, Page } from 'playwright-core';
import type { TestApp } from '../harness/app';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Headless Debian Chromium; fails loudly (never skips) when it is not installed. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: the browser tests need it. Install it with \`apt-get install -y chromium\`.`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** Makes the in-process app listen on a free local port and returns its origin (`http://127.0.0.1:NNNN`). */
export async function listenOnFreePort(t: TestApp): Promise<string> {
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = t.app.getHttpServer().address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

/**
 * Collects what a page reports as going wrong: console errors and warnings, uncaught exceptions,
 * and CSP violations (caught by a listener installed before any page script runs).
 */
export async function collectPageProblems(page: Page): Promise<string[]> {
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() !== 'error' && msg.type() !== 'warning') return;
    // The browser's own favicon request (not one the page makes) 404s on an API server.
    if (new URL(msg.location().url || 'about:blank').pathname === '/favicon.ico') return;
    problems.push(`console.${msg.type()}: ${msg.text()} (${msg.location().url || 'page'})`);
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  // Runs in the page before its own content (as a string: this file is not compiled for the DOM).
  await page.addInitScript({
    content: "document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + e.blockedURI));",
  });
  return problems;
}
