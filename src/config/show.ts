/**
 * `config show`: every setting, its effective value and where it came from. Secrets (the API key, passwords) show
 * only whether they are set and their length, never their value nor any part of it.
 */
import type { Secret } from '../util/secret.ts';
import { FIELDS, GROUP_TITLES, REMOTE_VALUES, formatFieldValue, getPath, type FieldGroup, type SettingValue } from './schema.ts';
import type { ResolvedSettings } from './settings.ts';

export interface ConfigShowRow {
  /** Dotted field path, or apiKey / sharedFolder / filePassword / folderPassword. */
  path: string;
  group: FieldGroup;
  /** The typed value (durations in ms, sizes in bytes); null when unset and always null for a secret. */
  value: SettingValue | null;
  /** The value as a person reads it ('5m', '128Mi', '<set, 32 chars>', '<not set>'). */
  text: string;
  /** Where the value came from; null when unset. */
  source: string | null;
  secret: boolean;
}

/** What serve webdav and mount serve with these settings. */
export type Serving = { kind: 'account'; remote: string; root: string } | { kind: 'shared-folder'; remote: string; id: string; readOnly: true };

export interface ConfigShowJson {
  /** The mount.json that was read, or null. */
  mountConfig: string | null;
  serving: Serving;
  fields: ConfigShowRow[];
  warnings: string[];
}

const NOT_SET = '<not set>';

function secretText(length: number | undefined): string {
  return length === undefined ? NOT_SET : `<set, ${length} chars>`;
}

/** One row per setting, in schema order; the rclone remote's values follow the account settings. */
export function configShowRows(resolved: ResolvedSettings): ConfigShowRow[] {
  const rows: ConfigShowRow[] = [];
  const source = (path: string): string | null => resolved.sources[path] ?? null;
  for (const field of FIELDS) {
    const raw = getPath(resolved.settings, field.path) as SettingValue | undefined;
    const secret = field.secret === true;
    const text = secret ? secretText(raw === undefined ? undefined : String(raw).length) : raw === undefined ? NOT_SET : formatFieldValue(field, raw);
    rows.push({ path: field.path, group: field.group, value: secret || raw === undefined ? null : raw, text, source: raw === undefined ? null : source(field.path), secret });
  }
  const lastAccount = rows.findLastIndex((r) => r.group === 'account');
  const remoteRows = REMOTE_VALUES.map((d): ConfigShowRow => {
    const v = resolved[d.path] as Secret | string | undefined;
    const text = d.secret ? secretText(v === undefined ? undefined : v.length) : (v as string | undefined) ?? NOT_SET;
    const value = d.secret || v === undefined ? null : (v as string);
    return { path: d.path, group: 'account', value, text, source: v === undefined ? null : source(d.path), secret: d.secret };
  });
  rows.splice(lastAccount + 1, 0, ...remoteRows);
  return rows;
}

/** What serve webdav and mount serve: the account (or its `root` folder), or the remote's public shared folder. */
export function servingOf(resolved: ResolvedSettings): Serving {
  const { remote, root } = resolved.settings;
  if (resolved.sharedFolder !== undefined) return { kind: 'shared-folder', remote, id: resolved.sharedFolder, readOnly: true };
  return { kind: 'account', remote, root };
}

/** `servingOf` as a phrase ("the whole account fichier:", "the public shared folder X ..."). */
export function servingText(s: Serving): string {
  if (s.kind === 'shared-folder') {
    return `the public shared folder ${s.id} (shared_folder of ${s.remote}:), read-only; the account's own files are not served`;
  }
  return s.root === '' ? `the whole account ${s.remote}:` : `the folder ${s.remote}:${s.root} as the root; nothing outside it`;
}

/** The effective configuration as JSON-ready data (no secret in it). */
export function configShowJson(resolved: ResolvedSettings): ConfigShowJson {
  return { mountConfig: resolved.mountConfig ?? null, serving: servingOf(resolved), fields: configShowRows(resolved), warnings: [...resolved.warnings] };
}

/**
 * The effective configuration as text: a header naming mount.json, then per group one line per setting with its
 * value and source. Ends with a newline.
 */
export function formatConfigShow(resolved: ResolvedSettings): string {
  const rows = configShowRows(resolved);
  const pathWidth = Math.max(...rows.map((r) => r.path.length));
  const textWidth = Math.min(48, Math.max(...rows.map((r) => r.text.length)));
  const lines = [
    'Effective configuration (lowest to highest precedence: default < mount.json < rclone remote < environment < flags)',
    `mount.json: ${resolved.mountConfig ?? 'none'}`,
    `Serves (serve webdav, mount): ${servingText(servingOf(resolved))}`,
  ];
  let group: FieldGroup | undefined;
  for (const r of rows) {
    if (r.group !== group) {
      group = r.group;
      lines.push('', GROUP_TITLES[group]);
    }
    const text = r.text === '' ? '""' : r.text;
    lines.push(`  ${r.path.padEnd(pathWidth)}  ${text.padEnd(textWidth)}  ${r.source ?? ''}`.trimEnd());
  }
  return lines.join('\n') + '\n';
}
