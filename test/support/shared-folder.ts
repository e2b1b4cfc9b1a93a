/**
 * Public shared folders on a test emulator: a folder of the account holding given files (and a sub-folder, which
 * a shared folder's page never lists), shared with folder/share.cgi, optionally with a password; returns the id of
 * its page (`https://1fichier.com/dir/<id>`).
 */
import { uploadFiles } from './emulator-http.ts';
import type { TestEmulator } from './emulator.ts';

export async function shareFolder(emu: TestEmulator, name: string, files: readonly { name: string; data: Buffer | string }[], pass?: string): Promise<string> {
  const { folder_id } = await emu.api<{ folder_id: number }>('folder/mkdir.cgi', { name, folder_id: 0 });
  const sub = await emu.api<{ folder_id: number }>('folder/mkdir.cgi', { name: 'not listed', folder_id });
  // One upload per file keeps the page's order the fixture's order.
  for (const f of files) await uploadFiles(emu.url, emu.key, [f], folder_id);
  await uploadFiles(emu.url, emu.key, [{ name: 'deep.txt', data: 'below, in a sub-folder' }], sub.folder_id);
  const { url } = await emu.api<{ url: string }>('folder/share.cgi', { folder_id, ...(pass !== undefined ? { pass } : {}) });
  return new URL(url).pathname.split('/').pop()!;
}
