import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isObject } from './check.ts';
import { KO } from './errors.ts';

/** Request helpers shared by every route. */

const MAX_JSON_BODY = 1024 * 1024;

export type AuthResult = 'ok' | 'missing' | 'wrong';

/** Checks `Authorization: Bearer <key>` (constant-time comparison). */
export function checkAuth(req: IncomingMessage, apiKey: string): AuthResult {
  const h = req.headers.authorization;
  if (h === undefined) return 'missing';
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  if (!m) return 'wrong';
  const got = Buffer.from(m[1]!);
  const want = Buffer.from(apiKey);
  return got.length === want.length && timingSafeEqual(got, want) ? 'ok' : 'wrong';
}

/** Reads the whole body (at most 1 MiB; larger => KO 413 #915). */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_JSON_BODY) throw KO.bodyTooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Parses a JSON object body; an empty body is `{}`. Anything else => KO 400 #901. */
export function parseJsonObject(body: Buffer): Record<string, unknown> {
  const text = body.toString('utf8').trim();
  if (text === '') return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw KO.malformedJson();
  }
  if (!isObject(v)) throw KO.malformedJson();
  return v;
}

/** Pathname and query of a request URL. */
export function urlOf(req: IncomingMessage): URL {
  return new URL(req.url ?? '/', 'http://emulator.invalid');
}
