import { describe, it, expect } from 'vitest';
import { classifyFailure, decodeOutcome, FichierApiError, isEscalatedBan, isFloodBan, isTemporaryRefusal, parseFichierCode, parseRetryAfter, neverSent, transportError } from './errors.ts';
import { thrownBy } from '../../test/support/errors.ts';

const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);

function decode(status: number, body: unknown, extra: { headers?: Record<string, string>; nonJsonRetryable?: boolean } = {}) {
  return decodeOutcome({
    endpoint: 'file/ls.cgi',
    status,
    headers: extra.headers ?? {},
    text: typeof body === 'string' ? body : JSON.stringify(body),
    nowMs: NOW,
    nonJsonRetryable: extra.nonJsonRetryable,
  });
}

const failure = (fn: () => unknown): FichierApiError => thrownBy(fn, FichierApiError);

describe('decodeOutcome', () => {
  it('returns OK bodies and bodies without status', () => {
    expect(decode(200, { status: 'OK', count: 0, items: [] })).toEqual({ status: 'OK', count: 0, items: [] });
    expect(decode(200, { url: 'up2.1fichier.com', id: 'abc' })).toEqual({ url: 'up2.1fichier.com', id: 'abc' });
  });

  it.each([
    [401, 'Not authenticated #247', 'auth', 247, false],
    [200, 'No such user #93', 'auth', 93, false],
    [403, 'Flood detected: IP Locked #374', 'flood', 374, true],
    [403, 'Flood detected #412', 'flood', 412, true],
    [200, 'Flood detected: IP Locked #38', 'flood', 38, false],
    [403, 'Owner locked #620', 'forbidden', 620, false],
    [403, 'Forbidden', 'forbidden', undefined, true],
    [403, 'Something #905', 'forbidden', 905, false],
    [404, 'Resource not found #469', 'not-found', 469, false],
    [200, 'Resource not allowed #631', 'forbidden', 631, false],
    [200, 'Only 1 location allowed at a time #887', 'forbidden', 887, false],
    [200, 'Must be a customer (Premium, Access) #200', 'premium', 200, false],
    [200, 'No file has been renamed #312', 'refused', 312, false],
    [500, 'Internal error', 'server', undefined, true],
    [503, 'Maintenance', 'server', undefined, true],
    [501, 'Not implemented', 'server', undefined, false],
    [429, 'Too many', 'flood', undefined, true],
    [400, 'Bad request', 'refused', undefined, false],
  ] as const)('HTTP %i "%s" -> %s', (status, message, kind, code, retryable) => {
    const err = failure(() => decode(status, { status: 'KO', message }));
    expect([err.kind, err.code, err.retryable, err.httpStatus, err.endpoint]).toEqual([kind, code, retryable, status, 'file/ls.cgi']);
  });

  it('treats a KO body with HTTP 200 as an error', () => {
    const err = failure(() => decode(200, { status: 'KO', message: 'Folder not empty' }));
    expect(err.kind).toBe('refused');
  });

  it('treats a non-2xx answer with an OK-looking body as an error', () => {
    expect(failure(() => decode(502, { status: 'OK' })).kind).toBe('server');
  });

  it('classifies HTML where JSON was expected as protocol; retryable only for please-wait or when asked', () => {
    const html = failure(() => decode(200, '<html><body>Software error</body></html>'));
    expect([html.kind, html.retryable]).toEqual(['protocol', false]);
    const wait = failure(() => decode(200, '<html><body>Veuillez patienter...</body></html>'));
    expect([wait.kind, wait.retryable]).toEqual(['protocol', true]);
    const endPl = failure(() => decode(200, '<html>whatever</html>', { nonJsonRetryable: true }));
    expect([endPl.kind, endPl.retryable]).toEqual(['protocol', true]);
  });

  it('classifies an HTML flood page as flood and an HTML 5xx as server', () => {
    expect(failure(() => decode(200, '<p>Your requests are too fast</p>')).kind).toBe('flood');
    expect(failure(() => decode(503, '<p>Our services are in maintenance</p>')).kind).toBe('server');
  });

  it('keeps Retry-After on the error', () => {
    const err = failure(() => decode(503, 'busy', { headers: { 'retry-after': '12' } }));
    expect(err.retryAfterMs).toBe(12_000);
  });

  it('gives actionable messages', () => {
    expect(failure(() => decode(401, { status: 'KO', message: 'Not authenticated #247' })).message).toContain(
      'https://1fichier.com/console/params.pl',
    );
  });
});

describe('helpers', () => {
  it('parses the first #code like rclone', () => {
    expect(parseFichierCode('Flood detected: IP Locked #374')).toBe(374);
    expect(parseFichierCode('a #12 then #345')).toBe(12);
    expect(parseFichierCode('no code')).toBeUndefined();
  });

  it('parses Retry-After seconds and HTTP dates', () => {
    expect(parseRetryAfter('5', NOW)).toBe(5000);
    expect(parseRetryAfter(new Date(NOW + 30_000).toUTCString(), NOW)).toBe(30_000);
    expect(parseRetryAfter('garbage', NOW)).toBeUndefined();
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
  });

  it('distinguishes a flood ban from a plain 429 and from user/info\'s own limit (#38)', () => {
    expect(isFloodBan(classifyFailure('x', 403, 'Flood detected: IP Locked #374'))).toBe(true);
    expect(isFloodBan(classifyFailure('x', 403, 'IP Locked'))).toBe(true);
    expect(isFloodBan(classifyFailure('x', 429, ''))).toBe(false);
    expect(isFloodBan(classifyFailure('user/info.cgi', 403, 'Flood detected: IP Locked #38'))).toBe(false);
  });

  it('tells an escalated ban by its text: the bare "IP Locked" or the one-hour page', () => {
    expect(isEscalatedBan(classifyFailure('x', 403, 'IP Locked'))).toBe(true);
    expect(isEscalatedBan(classifyFailure('x', 200, 'Your IP will be unlocked within 1h.'))).toBe(false);
    expect(isEscalatedBan(classifyFailure('x', 403, 'Flood detected. Will be unlocked within 1h.'))).toBe(true);
    expect(isEscalatedBan(classifyFailure('x', 403, 'Flood detected: IP Locked #374'))).toBe(false);
  });

  it('recognises "Owner locked" by its codes and by its text alone as a refusal that means wait', () => {
    expect(isTemporaryRefusal(classifyFailure('file/info.cgi', 403, 'Owner locked #649'))).toBe(true);
    expect(isTemporaryRefusal(classifyFailure('file/info.cgi', 403, 'Owner locked #620'))).toBe(true);
    const textOnly = classifyFailure('file/info.cgi', 200, 'Owner locked');
    expect([textOnly.kind, isTemporaryRefusal(textOnly)]).toEqual(['forbidden', true]);
    expect(isTemporaryRefusal(classifyFailure('x', 403, 'Resource not allowed #631'))).toBe(false);
  });

  it('retries a 403 without a known code a few times only', () => {
    const err = classifyFailure('folder/ls.cgi', 403, '');
    expect([err.kind, err.retryable, err.attemptLimit]).toEqual(['forbidden', true, 3]);
  });

  it('makes transport errors retryable for connection failures and keeps the cause', () => {
    const cause = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const err = transportError('file/ls.cgi', cause);
    expect([err.kind, err.retryable, err.cause]).toEqual(['transport', true, cause]);
    expect(neverSent(err)).toBe(false);
    const connect = transportError('file/ls.cgi', Object.assign(new Error('could not connect'), { code: 'ECONNECT_TIMEOUT' }));
    expect([connect.retryable, neverSent(connect)]).toEqual([true, true]);
    expect(transportError('x', Object.assign(new Error('bad'), { code: 'ERR_INVALID_ARG_TYPE' })).retryable).toBe(false);
  });
});
