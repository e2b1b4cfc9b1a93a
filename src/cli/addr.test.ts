import { describe, expect, it } from 'vitest';
import { parseAddr, parseNonNegativeInt } from './addr.ts';

describe('parseAddr', () => {
  it('reads host:port, :port and [v6]:port', () => {
    expect(parseAddr('127.0.0.1:8080')).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(parseAddr(':0')).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseAddr('[::1]:9000')).toEqual({ host: '::1', port: 9000 });
    expect(parseAddr('localhost:1')).toEqual({ host: 'localhost', port: 1 });
  });
  it('refuses malformed values', () => {
    for (const bad of ['8080', 'host:', 'host:99999', 'a:b', '']) expect(() => parseAddr(bad)).toThrow(/invalid --addr/);
  });
});

describe('parseNonNegativeInt', () => {
  it('accepts digits and names the flag otherwise', () => {
    expect(parseNonNegativeInt('--latency')('50')).toBe(50);
    expect(() => parseNonNegativeInt('--latency')('-1')).toThrow(/--latency/);
    expect(() => parseNonNegativeInt('--latency')('1.5')).toThrow(/--latency/);
  });
});
