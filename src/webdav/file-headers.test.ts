import { describe, expect, it } from 'vitest';
import { fileHeaders } from './file-headers.ts';

describe('fileHeaders', () => {
  it('sandboxes every type a browser could run or render as a document, and says nosniff to all', () => {
    const sandboxed = ['text/html', 'application/xhtml+xml', 'image/svg+xml', 'IMAGE/SVG+XML', 'text/xml', 'application/xml', 'text/plain', 'application/pdf', 'application/javascript', 'application/octet-stream', 'application/x-unknown', ''];
    for (const type of sandboxed) expect([type, fileHeaders(type)]).toEqual([type, { 'X-Content-Type-Options': 'nosniff', 'Content-Security-Policy': 'sandbox' }]);
  });

  it('leaves audio, video and raster images playable and viewable: nosniff only', () => {
    for (const type of ['video/mp4', 'video/x-matroska', 'audio/wav', 'audio/mpeg', 'image/png', 'image/jpeg', 'image/webp', 'image/gif']) {
      expect([type, fileHeaders(type)]).toEqual([type, { 'X-Content-Type-Options': 'nosniff' }]);
    }
  });
});
