import { array, int, nonNeg, object, optNonNeg, optStr } from './check.ts';
import { faultError, KO, type KoError } from './errors.ts';

/**
 * Injected faults, set at runtime (POST /_emulator/faults, merged into the current set) and consumed by
 * the routes. Fault endpoint names: an API path relative to /v1/ ("folder/ls.cgi"), "upload" (upload.cgi),
 * "end" (end.pl), "download" (the download host), or "*" (any of them).
 */
export interface FailRule {
  endpoint?: string;
  count: number;
  status: number;
  message?: string;
}

export interface FaultSettings {
  /** Added to every API and upload-node answer (on top of the configured latency). */
  latencyMs?: number;
  /** Extra latency per fault endpoint name. */
  endpointLatencyMs?: Record<string, number>;
  /** Next `count` matching calls fail with `status` (a KO body). Appended to pending rules. */
  failNext?: FailRule[];
  /** Each matching call fails with probability `p` (injectable random). */
  failProbability?: { p: number; status: number; endpoint?: string; message?: string };
  /** The next `count` end.pl JSON requests answer the HTML "Veuillez patienter" page (200). */
  endPlHtml?: { count: number };
  /** The next `count` end.pl JSON requests answer `{incoming: 0, links: []}` (the upload landed all the same). */
  endPlNoLinks?: { count: number };
  /** The next `count` download / upload bodies are cut (socket destroyed) after `afterBytes` bytes. */
  resetMidBody?: { target: 'download' | 'upload'; count: number; afterBytes: number };
  /** The next `count` upload POSTs store their files, then the connection is reset instead of answering. */
  resetAfterUpload?: { count: number };
  /** Throttles download / upload bodies. */
  bandwidth?: { downBytesPerSec?: number; upBytesPerSec?: number };
}

function matches(ruleEndpoint: string | undefined, endpoint: string): boolean {
  return ruleEndpoint === undefined || ruleEndpoint === '*' || ruleEndpoint === endpoint;
}

export class Faults {
  private s: FaultSettings = {};

  constructor(private readonly random: () => number) {}

  /** Validates an untrusted settings object and merges it into the current one (failNext appends). Throws KO 400 #902. */
  merge(input: unknown): void {
    const next = parseSettings(input);
    const failNext = [...(this.s.failNext ?? []), ...(next.failNext ?? [])];
    this.s = {
      ...this.s,
      ...next,
      endpointLatencyMs: { ...this.s.endpointLatencyMs, ...next.endpointLatencyMs },
      failNext,
    };
  }

  clear(): void {
    this.s = {};
  }

  /** A copy of the current settings. */
  snapshot(): FaultSettings {
    return structuredClone(this.s);
  }

  /** Extra latency for this endpoint, in ms. */
  latency(endpoint: string): number {
    return (this.s.latencyMs ?? 0) + (this.s.endpointLatencyMs?.[endpoint] ?? 0);
  }

  /** Consumes a pending failure for `endpoint`, if any, and returns the error to answer. */
  takeFailure(endpoint: string): KoError | undefined {
    const rules = this.s.failNext ?? [];
    const i = rules.findIndex((r) => r.count > 0 && matches(r.endpoint, endpoint));
    if (i >= 0) {
      const r = rules[i]!;
      r.count--;
      if (r.count <= 0) rules.splice(i, 1);
      return faultError(r.status, r.message);
    }
    const p = this.s.failProbability;
    if (p && matches(p.endpoint, endpoint) && this.random() < p.p) return faultError(p.status, p.message);
    return undefined;
  }

  /** True (and consumes one) when the next end.pl JSON answer must be the HTML wait page. */
  takeEndPlHtml(): boolean {
    return takeOne(this.s.endPlHtml);
  }

  /** True (and consumes one) when the next end.pl JSON answer must have no links. */
  takeEndPlNoLinks(): boolean {
    return takeOne(this.s.endPlNoLinks);
  }

  /** True (and consumes one) when this upload POST, its files stored, must be answered with a reset. */
  takeResetAfterUpload(): boolean {
    return takeOne(this.s.resetAfterUpload);
  }

  /** The byte count after which to cut this body, consuming one reset; undefined when none applies. */
  takeReset(target: 'download' | 'upload'): number | undefined {
    const r = this.s.resetMidBody;
    if (!r || r.target !== target || r.count <= 0) return undefined;
    r.count--;
    return r.afterBytes;
  }

  /** Bytes per second for this direction, or undefined when unthrottled. */
  bandwidth(target: 'download' | 'upload'): number | undefined {
    const b = this.s.bandwidth;
    const v = target === 'download' ? b?.downBytesPerSec : b?.upBytesPerSec;
    return v && v > 0 ? v : undefined;
  }
}

function takeOne(e: { count: number } | undefined): boolean {
  if (!e || e.count <= 0) return false;
  e.count--;
  return true;
}

function status(v: unknown, field: string): number {
  const n = int(v, field);
  if (n < 200 || n > 599) throw KO.badParam(field);
  return n;
}

function parseSettings(input: unknown): FaultSettings {
  const o = object(input, 'faults');
  const out: FaultSettings = {};
  if (o.latencyMs !== undefined) out.latencyMs = nonNeg(o.latencyMs, 'latencyMs');
  if (o.endpointLatencyMs !== undefined) {
    const m = object(o.endpointLatencyMs, 'endpointLatencyMs');
    out.endpointLatencyMs = Object.fromEntries(Object.entries(m).map(([k, v]) => [k, nonNeg(v, `endpointLatencyMs.${k}`)]));
  }
  if (o.failNext !== undefined) {
    out.failNext = array(o.failNext, 'failNext').map((r) => {
      const x = object(r, 'failNext[]');
      return { endpoint: optStr(x.endpoint, 'endpoint'), count: int(x.count ?? 1, 'count'), status: status(x.status, 'status'), message: optStr(x.message, 'message') };
    });
  }
  if (o.failProbability !== undefined) {
    const x = object(o.failProbability, 'failProbability');
    const p = nonNeg(x.p, 'p');
    if (p > 1) throw KO.badParam('p');
    out.failProbability = { p, status: status(x.status, 'status'), endpoint: optStr(x.endpoint, 'endpoint'), message: optStr(x.message, 'message') };
  }
  if (o.endPlHtml !== undefined) out.endPlHtml = { count: int(object(o.endPlHtml, 'endPlHtml').count, 'count') };
  if (o.endPlNoLinks !== undefined) out.endPlNoLinks = { count: int(object(o.endPlNoLinks, 'endPlNoLinks').count, 'count') };
  if (o.resetAfterUpload !== undefined) out.resetAfterUpload = { count: int(object(o.resetAfterUpload, 'resetAfterUpload').count, 'count') };
  if (o.resetMidBody !== undefined) {
    const x = object(o.resetMidBody, 'resetMidBody');
    if (x.target !== 'download' && x.target !== 'upload') throw KO.badParam('target');
    out.resetMidBody = { target: x.target, count: int(x.count ?? 1, 'count'), afterBytes: nonNeg(x.afterBytes, 'afterBytes') };
  }
  if (o.bandwidth !== undefined) {
    const x = object(o.bandwidth, 'bandwidth');
    out.bandwidth = { downBytesPerSec: optNonNeg(x.downBytesPerSec, 'downBytesPerSec'), upBytesPerSec: optNonNeg(x.upBytesPerSec, 'upBytesPerSec') };
  }
  return out;
}

