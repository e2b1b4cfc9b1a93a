import { describe, it, expect } from 'vitest';
import type { ServerResponse } from 'node:http';
import type { FichierClient } from './client.ts';
import { FichierApiError } from './errors.ts';
import { sendJson, sendHtml, type RecordedRequest, serverPerTest } from '../../test/support/recording-server.ts';

const KEY = 'TestKey_0123456789abcdefghijklmn';

const serve = serverPerTest(KEY);

function setup(handler: (req: RecordedRequest, res: ServerResponse) => void) {
  return serve({ buffered: handler }, { pacer: { backoffMaxMs: 4, floodCooldownMs: 5 } });
}

const OK_ANSWERS: Record<string, unknown> = {
  '/v1/folder/mkdir.cgi': { status: 'OK', folder_id: 42, name: 'n' },
  '/v1/download/get_token.cgi': { status: 'OK', url: 'https://a-4.1fichier.com/tok3n' },
  '/v1/upload/get_upload_server.cgi': { url: 'up2.1fichier.com', id: 'Abc123' },
};

function okHandler(req: RecordedRequest, res: ServerResponse) {
  sendJson(res, 200, OK_ANSWERS[req.url] ?? { status: 'OK' });
}

function bodyOf(r: RecordedRequest | undefined): unknown {
  return r && r.body.length ? JSON.parse(r.body.toString('utf8')) : undefined;
}

describe('FichierClient endpoint methods', () => {
  it.each([
    ['folderLs', (c: FichierClient) => c.folderLs(0, { files: true }), 'folder/ls.cgi', { folder_id: 0, files: 1 }],
    ['fileLs', (c: FichierClient) => c.fileLs(7), 'file/ls.cgi', { folder_id: 7 }],
    ['fileInfo', (c: FichierClient) => c.fileInfo('https://1fichier.com/?abcde'), 'file/info.cgi', { url: 'https://1fichier.com/?abcde' }],
    ['folderMkdir', (c: FichierClient) => c.folderMkdir(3, 'été'), 'folder/mkdir.cgi', { name: 'été', folder_id: 3 }],
    ['folderRm', (c: FichierClient) => c.folderRm(9), 'folder/rm.cgi', { folder_id: 9 }],
    ['folderMv to root', (c: FichierClient) => c.folderMv(9, { destinationFolderId: 0, rename: 'x' }), 'folder/mv.cgi', { folder_id: 9, destination_user: '', destination_folder_id: 0, rename: 'x' }],
    ['folderMv', (c: FichierClient) => c.folderMv(9, { destinationFolderId: 4 }), 'folder/mv.cgi', { folder_id: 9, destination_user: '', destination_folder_id: 4 }],
    ['fileMv', (c: FichierClient) => c.fileMv(['u1'], 5, 'b.txt'), 'file/mv.cgi', { urls: ['u1'], destination_folder_id: 5, rename: 'b.txt' }],
    ['fileRename', (c: FichierClient) => c.fileRename('u1', 'c.txt'), 'file/rename.cgi', { urls: [{ url: 'u1', filename: 'c.txt' }], pretty: 0 }],
    ['fileCp', (c: FichierClient) => c.fileCp(['u1'], 6), 'file/cp.cgi', { urls: ['u1'], folder_id: 6 }],
    ['fileRm', (c: FichierClient) => c.fileRm(['u1', 'u2']), 'file/rm.cgi', { files: [{ url: 'u1' }, { url: 'u2' }] }],
    ['fileChattr', (c: FichierClient) => c.fileChattr(['u1'], { description: 'd' }), 'file/chattr.cgi', { urls: ['u1'], description: 'd' }],
    ['getToken', (c: FichierClient) => c.getToken('u1', { pass: 'pw', cdn: true }), 'download/get_token.cgi', { url: 'u1', single: 1, pass: 'pw', cdn: 1 }],
    ['remoteRequest', (c: FichierClient) => c.remoteRequest(['http://x/y'], 2), 'remote/request.cgi', { urls: ['http://x/y'], folder_id: 2 }],
    ['remoteLs', (c: FichierClient) => c.remoteLs(), 'remote/ls.cgi', undefined],
    ['remoteInfo', (c: FichierClient) => c.remoteInfo(12), 'remote/info.cgi', { id: 12 }],
  ] as const)('%s POSTs JSON with Bearer auth', async (_name, invoke, path, expected) => {
    const { server, client } = await setup(okHandler);
    await invoke(client);
    const r = server.requests[0];
    expect(r?.method).toBe('POST');
    expect(r?.url).toBe(`/v1/${path}`);
    expect(r?.headers['content-type']).toBe('application/json');
    expect(r?.headers['authorization']).toBe(`Bearer ${KEY}`);
    expect(bodyOf(r)).toEqual(expected);
  });

  it('POSTs user/info with an empty body and normalizes its field types', async () => {
    const { server, client } = await setup((_req, res) =>
      sendJson(res, 200, { status: 'OK', email: 'a@b.c', offer: 1, cdn: 0, '2fa': '0', cold_storage: '1000', available_cold_storage: 5000, ftp_did: 'x' }),
    );
    const info = await client.userInfo();
    const r = server.requests[0];
    expect([r?.method, r?.headers['content-type'], r?.headers['content-length'], r?.body.length]).toEqual(['POST', 'application/json', '0', 0]);
    expect(info).toMatchObject({ email: 'a@b.c', offer: '1', cdn: '0', '2fa': '0', cold_storage: 1000, available_cold_storage: 5000, ftp_did: 0, use_cdn: '' });
  });

  it('GETs get_upload_server without body and falls back to POST on 405', async () => {
    const { server, client } = await setup((req, res) => {
      if (req.method === 'GET') return sendJson(res, 405, { status: 'KO', message: 'Method not allowed' });
      okHandler(req, res);
    });
    expect(await client.getUploadServer()).toEqual({ url: 'up2.1fichier.com', id: 'Abc123' });
    expect(server.requests.map((r) => [r.method, r.headers['content-type'], r.body.length])).toEqual([
      ['GET', 'application/json', 0],
      ['POST', 'application/json', 0],
    ]);
  });

  it('rejects an invalid UploadID as a protocol error', async () => {
    const { client } = await setup((_req, res) => sendJson(res, 200, { url: 'up.1fichier.com', id: 'not valid!' }));
    await expect(client.getUploadServer()).rejects.toMatchObject({ kind: 'protocol' });
  });

  it('maps the token URL to the emulator origin', async () => {
    const { server, client } = await setup(okHandler);
    expect((await client.getToken('u1')).url).toBe(`${server.origin}/tok3n`);
  });

  it('rejects a mkdir answer without folder_id', async () => {
    const { client } = await setup((_req, res) => sendJson(res, 200, { status: 'OK' }));
    await expect(client.folderMkdir(0, 'x')).rejects.toMatchObject({ kind: 'protocol' });
  });
});

describe('FichierClient.call error handling', () => {
  it('throws on a 200 KO body without retrying', async () => {
    const { server, client } = await setup((_req, res) => sendJson(res, 200, { status: 'KO', message: 'No file has been renamed #312' }));
    const err = await client.fileRename('u', 'n').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FichierApiError);
    expect(err).toMatchObject({ kind: 'refused', code: 312, httpStatus: 200, endpoint: 'file/rename.cgi' });
    expect(server.requests).toHaveLength(1);
  });

  it('never retries auth failures', async () => {
    const { server, client } = await setup((_req, res) => sendJson(res, 401, { status: 'KO', message: 'Not authenticated #247' }));
    await expect(client.fileLs(0)).rejects.toMatchObject({ kind: 'auth', code: 247, httpStatus: 401 });
    expect(server.requests).toHaveLength(1);
  });

  it('retries 5xx and then succeeds', async () => {
    let n = 0;
    const { server, client } = await setup((_req, res) =>
      ++n < 3 ? sendJson(res, 503, { status: 'KO', message: 'busy' }) : sendJson(res, 200, { status: 'OK', count: 0, items: [] }),
    );
    expect(await client.fileLs(0)).toEqual({ status: 'OK', count: 0, items: [] });
    expect(server.requests).toHaveLength(3);
    expect(client.pacerStats()).toMatchObject({ calls: 1, attempts: 3, retries: 2 });
  });

  it('recovers from a flood ban after the cooldown', async () => {
    let n = 0;
    const { server, client } = await setup((_req, res) =>
      ++n === 1 ? sendJson(res, 403, { status: 'KO', message: 'Flood detected: IP Locked #374' }) : sendJson(res, 200, { status: 'OK', count: 0, items: [] }),
    );
    await client.fileLs(0);
    expect(server.requests).toHaveLength(2);
    expect(client.pacerStats().bans).toBe(1);
  });

  it('reports HTML where JSON was expected as a protocol error', async () => {
    const { client } = await setup((_req, res) => sendHtml(res, 200, '<html><body>Software error</body></html>'));
    await expect(client.fileLs(0)).rejects.toMatchObject({ kind: 'protocol', httpStatus: 200 });
  });

  it('hides the key from inspect and JSON', async () => {
    const { client } = await setup(okHandler);
    expect(JSON.stringify(client)).not.toContain(KEY);
    expect(String(client)).not.toContain(KEY);
  });
});
