import { KO } from './errors.ts';

/**
 * Runtime checks of untrusted JSON (API bodies, admin bodies). Each throws `KO.badParam(name)`
 * (HTTP 400 #902) when the value has the wrong type.
 */

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An integer; numeric strings ("42") are accepted as the real API's PHP-ish parsing would. */
export function int(v: unknown, name: string): number {
  const n = typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw KO.badParam(name);
  return n;
}

export function optInt(v: unknown, name: string): number | undefined {
  return v === undefined || v === null ? undefined : int(v, name);
}

/** A non-negative finite number. */
export function nonNeg(v: unknown, name: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw KO.badParam(name);
  return v;
}

export function optNonNeg(v: unknown, name: string): number | undefined {
  return v === undefined ? undefined : nonNeg(v, name);
}

export function str(v: unknown, name: string): string {
  if (typeof v !== 'string') throw KO.badParam(name);
  return v;
}

export function optStr(v: unknown, name: string): string | undefined {
  return v === undefined || v === null ? undefined : str(v, name);
}

/** A non-empty string. */
export function name(v: unknown, field: string): string {
  const s = str(v, field);
  if (s.length === 0) throw KO.badParam(field);
  return s;
}

export function optFlag(v: unknown, field: string): 0 | 1 | undefined {
  if (v === undefined || v === null) return undefined;
  const n = int(v, field);
  if (n !== 0 && n !== 1) throw KO.badParam(field);
  return n;
}

export function array(v: unknown, field: string): unknown[] {
  if (!Array.isArray(v)) throw KO.badParam(field);
  return v;
}

export function object(v: unknown, field: string): Record<string, unknown> {
  if (!isObject(v)) throw KO.badParam(field);
  return v;
}
