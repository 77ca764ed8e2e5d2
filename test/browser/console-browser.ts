import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BrowserContext, chromium, ConsoleMessage, Page, Request } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`; .ci/run installs it); no browser download. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Builds the console from source into a fresh directory: the test serves what the sources say today. */
export async function buildConsole(): Promise<string> {
  const outDir = join(mkdtempSync(join(tmpdir(), 'switchyard-console-')), 'console');
  const root = join(__dirname, '../..');
  // Vite's command line (its package exports no path to it).
  const vite = join(root, 'node_modules/vite/bin/vite.js');
  await promisify(execFile)(
    process.execPath,
    [vite, 'build', '--config', 'apps/console/vite.config.mts', '--outDir', outDir, '--logLevel', 'warn'],
    { cwd: root },
  );
  if (!existsSync(join(outDir, 'index.html'))) throw new Error(`the console build wrote no index.html to ${outDir}`);
  return outDir;
}

/** What the browser did, for the checks that span the whole session. */
export interface BrowserLog {
  requests: Request[];
  /** Script errors, uncaught exceptions and CSP violations (Chromium reports those as console errors). */
  errors: string[];
}

export interface ConsoleBrowser {
  context: BrowserContext;
  log: BrowserLog;
  /** A new tab: its sessionStorage is its own, so each tab signs in afresh. */
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/**
 * Chromium with a fresh profile, in a fixed locale and a time zone other than UTC (so "local time with
 * UTC on hover" is really two different times), logging every request and every console error.
 */
export async function launchConsoleBrowser(): Promise<ConsoleBrowser> {
  const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'switchyard-chromium-')), {
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_FLAGS,
    headless: true,
    viewport: { width: 1440, height: 900 },
    locale: 'en-US',
    timezoneId: 'America/New_York',
    acceptDownloads: true,
  });
  context.setDefaultTimeout(15_000);
  const log: BrowserLog = { requests: [], errors: [] };
  context.on('request', (request) => log.requests.push(request));
  const watch = (page: Page) => {
    page.on('console', (message: ConsoleMessage) => {
      // Chromium logs every 4xx answer to fetch; the console asks for things that may not exist (a balance
      // where no budget is set, GET /admin/whoami before roles) and handles the answer.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
        log.errors.push(message.text());
      }
    });
    page.on('pageerror', (error) => log.errors.push(error.message));
  };
  context.pages().forEach(watch);
  context.on('page', watch);
  return {
    context,
    log,
    newPage: () => context.newPage(),
    close: () => context.close(),
  };
}
