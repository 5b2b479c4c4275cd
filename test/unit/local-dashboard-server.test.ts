import { memoryBackends } from '../../lib/testing/memory-backends.js';
import type * as crypto from 'node:crypto';
import { timingSafeEqual } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { JobInspector } from '../../lib/inspector/job-inspector.js';
import { testConfig } from '../../lib/testing/test-config.js';
import { startUi, type UiServer } from '../../web/local-server.js';

// The token check must go through crypto's constant-time comparison: the real one, watched.
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof crypto>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});
// The page from the sources (web/static), so the test needs no build of the prebuilt dashboard function.
vi.mock('../../lib/packaged-functions.js', () => ({ packagedFunctionDir: () => fileURLToPath(new URL('../../web/', import.meta.url)) }));

const compare = vi.mocked(timingSafeEqual);

// `jobline ui`'s server on an ephemeral loopback port, on in-memory backends.
const inspector = new JobInspector({ config: testConfig(), backends: memoryBackends() });
let ui: UiServer;
let token: string;

beforeAll(async () => {
  ui = await startUi(inspector, { port: 0 });
  token = new URL(ui.url).searchParams.get('token')!;
});
afterAll(() => ui?.close());
beforeEach(() => {
  compare.mockClear();
});

/** GET `path` of the server, with `presented` as the token header (none when undefined). */
const get = (path: string, presented?: string) => fetch(new URL(path, ui.url), { headers: presented === undefined ? {} : { 'x-jobline-token': presented } });
/** A token of the same length as the real one that differs from it only in its last character. */
const sameLengthWrong = () => `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;

describe('jobline ui: the local dashboard server', () => {
  it('listens on loopback and prints a URL with a random token', () => {
    const url = new URL(ui.url);
    expect(url.hostname).toBe('127.0.0.1');
    expect(Number(url.port)).toBeGreaterThan(0);
    expect(token).toMatch(/^[\w-]{24}$/);
  });

  describe('answers every request with Referrer-Policy: no-referrer (the page\'s address carries the token)', () => {
    it.each([
      ['the page', '/', () => undefined, 200, 'text/html'],
      ['the page\'s config', '/config.json', () => undefined, 200, 'application/json'],
      ['an API answer, with the token', '/api/jobs', () => token, 200, 'application/json'],
      ['an API call with a wrong token', '/api/jobs', sameLengthWrong, 401, 'application/json'],
      ['an API call without a token', '/api/jobs', () => undefined, 401, 'application/json'],
      ['an API call the API refuses', '/api/jobs?status=done', () => token, 400, 'application/json'],
      ['a path that is neither', '/nope', () => undefined, 404, 'application/json'],
    ])('%s (GET %s)', async (_what, path, presented, status, contentType) => {
      const response = await get(path, presented());
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toContain(contentType);
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      if (path === '/') expect(await response.text()).toContain('<html');
    });

    it('a request that fails in the server (500)', async () => {
      const failing = vi.spyOn(inspector, 'list').mockRejectedValueOnce(new Error('the store is down'));
      const quiet = vi.spyOn(console, 'error').mockImplementation(() => {});
      try {
        const response = await get('/api/jobs', token);
        expect(response.status).toBe(500);
        expect(response.headers.get('referrer-policy')).toBe('no-referrer');
        expect(await response.text()).not.toContain('the store is down');
      } finally {
        failing.mockRestore();
        quiet.mockRestore();
      }
    });
  });

  describe('accepts API calls only with its token', () => {
    it('accepts the token', async () => {
      const response = await get('/api/jobs', token);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual(expect.anything());
    });

    it.each([
      ['a wrong token of the same length', () => sameLengthWrong()],
      ['the token with one character missing', () => token.slice(0, -1)],
      ['the token with one character more', () => `${token}A`],
      ['a short wrong token', () => 'x'],
      ['an empty token', () => ''],
      ['no token at all', () => undefined],
    ])('refuses %s with 401', async (_what, presented) => {
      const response = await get('/api/jobs', presented());
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ error: expect.stringContaining('missing or wrong token') });
    });

    it('refuses the token in the query string instead of the header with 401', async () => {
      expect((await get(`/api/jobs?token=${token}`)).status).toBe(401);
    });

    it('refuses a token of the right length in characters but not in bytes (Latin-1 in the header) with 401, not an error', async () => {
      const quiet = vi.spyOn(console, 'error').mockImplementation(() => {});
      try {
        const response = await get('/api/jobs', `${token.slice(0, -1)}é`);
        expect(response.status).toBe(401);
        expect(quiet).not.toHaveBeenCalled();
      } finally {
        quiet.mockRestore();
      }
    });
  });

  describe('compares the token in constant time (crypto.timingSafeEqual), never with ===', () => {
    /** The two values of each timingSafeEqual call, as text, in order. */
    const compared = () => compare.mock.calls.map(([a, b]) => [Buffer.from(a as Uint8Array).toString(), Buffer.from(b as Uint8Array).toString()].sort());

    it('compares the presented token with its own through timingSafeEqual when the token is right', async () => {
      expect((await get('/api/jobs', token)).status).toBe(200);
      expect(compared()).toEqual([[token, token]]);
    });

    it('compares a wrong token of the same length through timingSafeEqual, and refuses it', async () => {
      const wrong = sameLengthWrong();
      expect((await get('/api/jobs', wrong)).status).toBe(401);
      expect(compared()).toEqual([[token, wrong].sort()]);
    });

    it('decides by what timingSafeEqual answers: the right token is refused when it says they differ', async () => {
      compare.mockReturnValueOnce(false);
      expect((await get('/api/jobs', token)).status).toBe(401);
      expect(compare).toHaveBeenCalledTimes(1);
    });
  });
});
