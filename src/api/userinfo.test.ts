import { describe, expect, it } from 'vitest';
import { offerName } from './userinfo.ts';

describe('offerName', () => {
  it("names 1fichier's offer codes and shows an unknown one as itself", () => {
    expect(['0', '1', '2', '3'].map(offerName)).toEqual(['Free', 'Premium', 'Access', 'Premium GOLD']);
    expect(offerName('9')).toBe('offer 9');
    expect(offerName('')).toBe('unknown');
  });
});
