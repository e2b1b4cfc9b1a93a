import { describe, expect, it } from 'vitest';
import { thrownBy } from '../../../test/support/errors.ts';
import { FsError } from '../../core/errors.ts';
import type { RemoteEntry } from '../types.ts';
import { folderIdOf } from './dir-ids.ts';

const dir = (path: string, id: string): RemoteEntry => ({ path, name: path, kind: 'dir', size: 0, modTime: 0, id, hashes: {} });

describe('folderIdOf', () => {
  it("reads the folder id an entry carries, the root's being 0", () => {
    expect(folderIdOf(dir('a/b', '123'))).toBe(123);
    expect(folderIdOf(dir('', '0'))).toBe(0);
  });

  it('takes the id over the path: a folder served as the root of a sub-root VFS is that folder, not the account root', () => {
    expect(folderIdOf(dir('', '123'))).toBe(123);
  });

  it("takes a root entry without a folder id (the VFS's) for the account root", () => {
    expect(folderIdOf(dir('', 'root:'))).toBe(0);
  });

  it('refuses a file (ENOTDIR) and a folder below the root without a folder id (EINVAL)', () => {
    expect(thrownBy(() => folderIdOf({ ...dir('f', 'https://1fichier.com/?x'), kind: 'file' }), FsError).code).toBe('ENOTDIR');
    expect(thrownBy(() => folderIdOf(dir('a', 'root:')), FsError).code).toBe('EINVAL');
    expect(thrownBy(() => folderIdOf(dir('a', '0')), FsError).code).toBe('EINVAL');
    expect(thrownBy(() => folderIdOf(dir('a', '99999999999999999999')), FsError).code).toBe('EINVAL');
  });
});
