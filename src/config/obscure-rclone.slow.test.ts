/** obscure/reveal against the real rclone binary (Debian's, installed by .ci/run): both directions agree. */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { obscure, reveal } from './obscure.ts';

describe('obscure/reveal with rclone', () => {
  // `--` ends rclone's flags: an obscured value is base64url and may start with '-', which rclone would
  // otherwise read as an option.
  it('reveals what the real rclone binary obscured, and rclone reveals ours', () => {
    for (const p of ['mypass', 'with:colon+plus/slash=', 'héllo ☃ 🙂', ' spaced ']) {
      const theirs = execFileSync('rclone', ['obscure', '--', p], { encoding: 'utf8', timeout: 10_000 }).trim();
      expect(reveal(theirs)).toBe(p);
      const back = execFileSync('rclone', ['reveal', '--', obscure(p)], { encoding: 'utf8', timeout: 10_000 });
      expect(back.replace(/\n$/, '')).toBe(p);
    }
  });
});
