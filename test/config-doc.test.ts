/**
 * README's configuration reference and mount.example.json are renderings of the config schema
 * (scripts/gen-config-doc.ts); this test fails when either drifts. Fix: `npm run docs:config`.
 */
import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import {
  END_MARKER,
  MOUNT_EXAMPLE_PATH,
  README_PATH,
  START_MARKER,
  renderConfigReference,
  renderMountExample,
  replaceReferenceBlock,
  updatedReadme,
} from '../scripts/gen-config-doc.ts';
import { parseMountFile } from '../src/config/mount-file.ts';
import { FIELDS, flagName, isFileField } from '../src/config/schema.ts';

const FIX = 'run npm run docs:config';

function leaves(obj: object, prefix = ''): string[] {
  return Object.entries(obj).flatMap(([k, v]) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? leaves(v as object, `${prefix}${k}.`) : [`${prefix}${k}`]));
}

describe('README configuration reference', () => {
  const readme = readFileSync(README_PATH, 'utf8');

  it(`has the ${START_MARKER} / ${END_MARKER} block (${FIX})`, () => {
    expect(replaceReferenceBlock(readme, ''), `README.md lacks the config-reference markers: ${FIX}`).toBeDefined();
  });

  it(`matches the schema (${FIX})`, () => {
    expect(replaceReferenceBlock(readme, renderConfigReference()) === readme, `README.md's configuration reference is out of date: ${FIX}`).toBe(true);
  });

  it('documents every field, flag and environment variable', () => {
    const block = renderConfigReference();
    for (const f of FIELDS) {
      expect(block).toContain(`\`${f.path}\``);
      const flag = flagName(f);
      if (flag !== undefined) expect(block).toContain(`\`${flag}\``);
      for (const e of f.env) expect(block).toContain(`\`${e}\``);
    }
  });

  it('adds the block when README has none, and replaces it in place otherwise', () => {
    const added = updatedReadme('# T\n\ntext\n');
    expect(added).toContain(`${START_MARKER}\n${renderConfigReference()}\n${END_MARKER}`);
    expect(updatedReadme(added)).toBe(added);
    const stale = `a\n${START_MARKER}\nold\n${END_MARKER}\nb\n`;
    expect(updatedReadme(stale)).toBe(`a\n${START_MARKER}\n${renderConfigReference()}\n${END_MARKER}\nb\n`);
  });
});

describe('mount.example.json', () => {
  const text = readFileSync(MOUNT_EXAMPLE_PATH, 'utf8');

  it(`is the schema's example (${FIX})`, () => {
    expect(text === renderMountExample(), `mount.example.json differs from the schema: ${FIX}`).toBe(true);
  });

  it('validates against the schema', () => {
    expect(() => parseMountFile(text, MOUNT_EXAMPLE_PATH, { HOME: '/home/example' })).not.toThrow();
  });

  it('shows every field that mount.json accepts, and no secret', () => {
    const shown = leaves(JSON.parse(text) as object).sort();
    expect(shown).toEqual(FIELDS.filter(isFileField).map((f) => f.path).sort());
    expect(shown).not.toContain('pass');
    expect(JSON.parse(text)).toMatchObject({ apiKeyFrom: 'env:FICHIER_API_KEY' });
  });
});
