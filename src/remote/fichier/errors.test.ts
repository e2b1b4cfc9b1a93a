import { describe, expect, it } from 'vitest';
import { classifyFailure, FichierApiError } from '../../api/errors.ts';
import { FsError } from '../../core/errors.ts';
import { toFsError } from './errors.ts';

function api(endpoint: string, status: number, message: string, retryAfterMs?: number): FichierApiError {
  return classifyFailure(endpoint, status, message, retryAfterMs);
}

describe('toFsError', () => {
  const cases: ReadonlyArray<readonly [string, FichierApiError, string]> = [
    ['not found', api('file/info.cgi', 404, 'Resource not found #469'), 'ENOENT'],
    ['bad key', api('folder/ls.cgi', 401, 'Not authenticated #247'), 'EACCES'],
    ['not premium', api('folder/ls.cgi', 200, 'Must be a customer (Premium, Access) #200'), 'EACCES'],
    ['password', api('download/get_token.cgi', 200, 'Resource not allowed #631'), 'EACCES'],
    ['one location', api('download/get_token.cgi', 200, 'Only 1 location allowed at a time #887'), 'EAGAIN'],
    ['owner locked', api('file/info.cgi', 200, 'Owner locked #649'), 'EAGAIN'],
    ['flood', api('folder/ls.cgi', 403, 'Flood detected: IP Locked #374'), 'EAGAIN'],
    ['5xx', api('folder/ls.cgi', 503, 'Service unavailable'), 'EAGAIN'],
    ['range', api('download', 416, ''), 'ERANGE'],
    ['folder/rm refused', api('folder/rm.cgi', 200, 'Folder is not empty #906'), 'ENOTEMPTY'],
    ['no space', api('file/cp.cgi', 200, 'Not enough space #912'), 'ENOSPC'],
    ['other refusal', api('file/rename.cgi', 200, 'No file has been renamed #312'), 'EIO'],
    ['expired token', api('download', 410, 'Download link expired #910'), 'EIO'],
  ];
  for (const [label, err, code] of cases) {
    it(`${label} -> ${code}`, () => {
      const fs = toFsError(err, 'a/b');
      expect(fs.code).toBe(code);
      expect(fs.cause).toBe(err);
      expect(fs.path).toBe('a/b');
    });
  }
  it('transport errors are EAGAIN and keep Retry-After', () => {
    const err = new FichierApiError({ endpoint: 'folder/ls.cgi', kind: 'transport', retryable: true, advice: 'x' });
    expect(toFsError(err).code).toBe('EAGAIN');
    expect(toFsError(api('folder/ls.cgi', 429, 'slow down', 7000)).retryAfterMs).toBe(7000);
  });
  it('protocol and upload errors, and foreign errors, are EIO', () => {
    expect(toFsError(new FichierApiError({ endpoint: 'end.pl', kind: 'upload', retryable: false, advice: 'x' })).code).toBe('EIO');
    expect(toFsError(new FichierApiError({ endpoint: 'folder/ls.cgi', kind: 'protocol', retryable: false, advice: 'x' })).code).toBe('EIO');
    const foreign = new TypeError('boom');
    expect(toFsError(foreign)).toMatchObject({ code: 'EIO', cause: foreign });
  });
  it('an FsError passes through unchanged', () => {
    const e = new FsError('EEXIST', 'x', { path: 'p' });
    expect(toFsError(e, 'other')).toBe(e);
  });
});
