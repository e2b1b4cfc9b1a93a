import { describe, it, expect } from 'vitest';
import { isRealApi, mapHost, uploadNodeUrl } from './hosts.ts';

const EMU = 'http://127.0.0.1:8080/v1';
const REAL = 'https://api.1fichier.com/v1';

describe('mapHost', () => {
  it('leaves every URL alone against the real API', () => {
    expect(isRealApi(REAL)).toBe(true);
    expect(mapHost('https://a-4.1fichier.com/abc?x=1', REAL)).toBe('https://a-4.1fichier.com/abc?x=1');
  });

  it('rewrites 1fichier hosts to the emulator origin, keeping path and query', () => {
    expect(isRealApi(EMU)).toBe(false);
    expect(mapHost('https://a-4.1fichier.com/tok3n?x=1', EMU)).toBe('http://127.0.0.1:8080/tok3n?x=1');
    expect(mapHost('https://1fichier.com/?abcde', EMU)).toBe('http://127.0.0.1:8080/?abcde');
    expect(mapHost('https://UP2.1FICHIER.COM/end.pl?xid=1', EMU)).toBe('http://127.0.0.1:8080/end.pl?xid=1');
  });

  it('rewrites the base host itself (scheme and port) but not foreign hosts', () => {
    expect(mapHost('https://127.0.0.1/upload.cgi?id=a', EMU)).toBe('http://127.0.0.1:8080/upload.cgi?id=a');
    expect(mapHost('https://example.org/x', EMU)).toBe('https://example.org/x');
    expect(mapHost('https://not1fichier.com/x', EMU)).toBe('https://not1fichier.com/x');
  });

  it('treats another port or path of the real host as non-real', () => {
    expect(isRealApi('https://api.1fichier.com:8443/v1')).toBe(false);
    expect(isRealApi('https://api.1fichier.com/v2')).toBe(true);
  });
});

describe('uploadNodeUrl', () => {
  it('builds https URLs from bare host names', () => {
    expect(uploadNodeUrl('up2.1fichier.com', '/upload.cgi?id=Ab1', REAL)).toBe('https://up2.1fichier.com/upload.cgi?id=Ab1');
    expect(uploadNodeUrl('up2.1fichier.com', '/upload.cgi?id=Ab1', EMU)).toBe('http://127.0.0.1:8080/upload.cgi?id=Ab1');
  });

  it('accepts host:port and full URLs', () => {
    expect(uploadNodeUrl('127.0.0.1:8080', '/end.pl?xid=1', EMU)).toBe('http://127.0.0.1:8080/end.pl?xid=1');
    expect(uploadNodeUrl('http://localhost:9/', '/end.pl?xid=1', EMU)).toBe('http://localhost:9/end.pl?xid=1');
  });

  it('throws on a host that cannot form a URL', () => {
    expect(() => uploadNodeUrl('bad host', '/x', EMU)).toThrow(TypeError);
  });
});
