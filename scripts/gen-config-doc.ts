/**
 * Renders the configuration schema (src/config/schema.ts) as README's configuration reference and as
 * mount.example.json, so neither can drift from the code.
 *
 *   npm run docs:config            rewrite README.md between the config-reference markers, and mount.example.json
 *   npm run docs:config -- --check exit 1 (naming the file) when either differs from the rendering
 *
 * When README.md has no markers yet, writing appends a "Configuration reference" section holding them.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  FIELDS,
  GROUP_TITLES,
  REMOTE_VALUES,
  defaultText,
  isFileField,
  setPath,
  type FieldDescriptor,
  type FieldGroup,
} from '../src/config/schema.ts';

export const START_MARKER = '<!-- config-reference:start -->';
export const END_MARKER = '<!-- config-reference:end -->';
export const README_PATH = fileURLToPath(new URL('../README.md', import.meta.url));
export const MOUNT_EXAMPLE_PATH = fileURLToPath(new URL('../mount.example.json', import.meta.url));

/** mount.example.json's content: every file field with its example value, nested by dotted path. */
export function mountExample(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of FIELDS) if (isFileField(f)) setPath(out, f.path, f.example);
  return out;
}

/** mount.example.json's text. */
export function renderMountExample(): string {
  return JSON.stringify(mountExample(), null, 2) + '\n';
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function code(text: string | undefined): string {
  return text === undefined || text === '' ? '' : `\`${text}\``;
}

function typeText(f: FieldDescriptor): string {
  if (f.type === 'enum') return (f.values ?? []).map((v) => `\`${v}\``).join(', ');
  if (f.type === 'int') return `integer${f.min !== undefined && f.max !== undefined ? ` ${f.min}–${f.max}` : ''}`;
  return f.isPath ? 'path' : f.type;
}

function fieldRow(f: FieldDescriptor): string {
  const name = isFileField(f) ? code(f.path) : `${code(f.path)} (not in file)`;
  const def = defaultText(f);
  const cells = [name, code(f.flag?.split(' ')[0]), f.env.map(code).join(' '), typeText(f), def === '' ? '`""`' : code(def), f.doc];
  return `| ${cells.map(cell).join(' | ')} |`;
}

const PRECEDENCE = `Each setting has a default and may be set, lowest to highest precedence, in mount.json, the rclone remote, the
environment and flags; \`fichier-dav config show\` prints each effective value and where it came from (secrets masked).

- **mount.json**: \`--mount-config FILE\`, else \`$FICHIER_DAV_CONFIG\`, else \`./mount.json\`, else
  \`$XDG_CONFIG_HOME/fichier-dav/mount.json\` (\`~/.config/fichier-dav/mount.json\`). Fields nest by their dotted name
  (\`"pacer": { "minIntervalMs": 400 }\`); \`null\` leaves a field unset. An unknown field or a wrong type is an error
  naming the field. Paths may start with \`~\`; a relative path is relative to the mount.json file. The API key and the
  WebDAV password are not accepted in it (use \`apiKeyFrom\`, \`FICHIER_DAV_PASS\` or \`--htpasswd\`).
- **rclone remote**: the \`[remote]\` section with \`type = fichier\` of rclone.conf (\`--config FILE\`, else
  \`$RCLONE_CONFIG\`, else rclone's search order), named by a \`remote:\` argument or the \`remote\` setting; an encrypted
  rclone.conf is opened with \`RCLONE_CONFIG_PASS\`. rclone's variables \`RCLONE_CONFIG_<REMOTE>_<KEY>\` and
  \`RCLONE_FICHIER_<KEY>\` apply with rclone's precedence; \`RCLONE_CONFIG_<REMOTE>_TYPE=fichier\` defines a remote without
  a file.
- **Environment**: the variables in the tables (the first listed wins over the next).
- **Flags**: as listed; \`-v\` sets the log level to info and \`-vv\` to debug.
- A file holding a secret (rclone.conf, an \`apiKeyFrom\` file) that other users can read gets a warning: \`chmod 600\` it.

Durations use rclone's syntax: \`250ms\`, \`30s\`, \`5m\`, \`1h30m\`, \`2d\`; a bare number is seconds (in mount.json a JSON
number is milliseconds). Sizes use rclone's binary units: \`512K\`/\`512Ki\`, \`128M\`/\`128Mi\`, \`1G\`, \`100B\`, \`off\`; a
bare number is KiB (in mount.json a JSON number is bytes).`;

/** The Markdown between the README markers (without the markers). */
export function renderConfigReference(): string {
  const parts = [PRECEDENCE];
  const groups = [...new Set(FIELDS.map((f) => f.group))] as FieldGroup[];
  for (const g of groups) {
    parts.push(`### ${GROUP_TITLES[g]}`);
    const rows = FIELDS.filter((f) => f.group === g).map(fieldRow);
    parts.push(['| Setting (mount.json) | Flag | Environment | Type | Default | Description |', '|---|---|---|---|---|---|', ...rows].join('\n'));
  }
  parts.push('### From the rclone remote');
  const remoteRows = REMOTE_VALUES.map((d) => `| ${[code(d.path), code(d.rcloneKey), d.env.map(code).join(' '), d.secret ? 'yes' : 'no', d.doc].map(cell).join(' | ')} |`);
  parts.push(['| Value | rclone.conf key | Environment | Secret | Description |', '|---|---|---|---|---|', ...remoteRows].join('\n'));
  parts.push('### Example mount.json\n\nThe repository\'s `mount.example.json`: every field, at its default or a safe example (`null` = not set).');
  parts.push('```json\n' + renderMountExample() + '```');
  return parts.join('\n\n');
}

/**
 * README text with the block between the markers replaced by `block`. Returns undefined when the markers are
 * missing or out of order.
 */
export function replaceReferenceBlock(readme: string, block: string): string | undefined {
  const start = readme.indexOf(START_MARKER);
  const end = readme.indexOf(END_MARKER);
  if (start < 0 || end < start) return undefined;
  return `${readme.slice(0, start + START_MARKER.length)}\n${block}\n${readme.slice(end)}`;
}

/** The README with the reference block current; appends a section with the markers when they are missing. */
export function updatedReadme(readme: string): string {
  const block = renderConfigReference();
  return replaceReferenceBlock(readme, block) ?? `${readme.replace(/\n*$/, '\n')}\n## Configuration reference\n\n${START_MARKER}\n${block}\n${END_MARKER}\n`;
}

function main(args: string[]): number {
  const readme = readFileSync(README_PATH, 'utf8');
  const example = readFileSync(MOUNT_EXAMPLE_PATH, 'utf8');
  if (args.includes('--check')) {
    let ok = true;
    const current = replaceReferenceBlock(readme, renderConfigReference());
    if (current === undefined) {
      console.error(`${README_PATH}: no ${START_MARKER} ... ${END_MARKER} block: run npm run docs:config`);
      ok = false;
    } else if (current !== readme) {
      console.error(`${README_PATH}: the configuration reference is out of date: run npm run docs:config`);
      ok = false;
    }
    if (example !== renderMountExample()) {
      console.error(`${MOUNT_EXAMPLE_PATH} differs from the schema's example: run npm run docs:config`);
      ok = false;
    }
    return ok ? 0 : 1;
  }
  const nextReadme = updatedReadme(readme);
  if (nextReadme !== readme) writeFileSync(README_PATH, nextReadme);
  if (example !== renderMountExample()) writeFileSync(MOUNT_EXAMPLE_PATH, renderMountExample());
  console.log(`configuration reference: ${nextReadme === readme ? 'README.md up to date' : 'README.md updated'}; mount.example.json ${example === renderMountExample() ? 'up to date' : 'updated'}`);
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = main(process.argv.slice(2));
}
