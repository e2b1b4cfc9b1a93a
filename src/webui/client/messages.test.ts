import { describe, expect, it } from 'vitest';
import { iconKind } from './filetypes.ts';
import { failureMessage, reasonOf } from './messages.ts';

describe('failureMessage', () => {
  it('says what failed and why, with the server reason when it adds something', () => {
    expect(failureMessage('upload a.txt', 507, '507 insufficient storage\n')).toBe('Could not upload a.txt: Not enough space left on the account.');
    expect(failureMessage('rename', 403, '403 read-only server\n')).toBe('Could not rename: Not allowed (read-only server).');
    expect(failureMessage('search', 400, '{"error":{"code":"HTTP400","message":"the search text (q) is empty"}}')).toBe('Could not search: The request was refused as malformed (the search text (q) is empty).');
    expect(failureMessage('move x', 423, '<?xml version="1.0"?><D:error xmlns:D="DAV:"><D:lock-token-submitted/></D:error>')).toBe('Could not move x: It is locked by another client.');
    expect(failureMessage('list', 0)).toBe('Could not list: the connection to the gateway failed.');
    expect(failureMessage('x', 599, '')).toBe('Could not x: HTTP 599.');
  });

  it('reads reasons from JSON, text and XML bodies', () => {
    expect(reasonOf('')).toBe('');
    expect(reasonOf('{not json')).toBe('');
    expect(reasonOf('409 parent collection does not exist\n')).toBe('parent collection does not exist');
  });
});

describe('iconKind', () => {
  it('picks an icon by extension, folders first', () => {
    expect(iconKind('Photos', true)).toBe('folder');
    expect(iconKind('a.JPG', false)).toBe('image');
    expect(iconKind('movie.mkv', false)).toBe('video');
    expect(iconKind('.bashrc', false)).toBe('file');
    expect(iconKind('archive.tar.gz', false)).toBe('archive');
    expect(iconKind('noext', false)).toBe('file');
  });
});
