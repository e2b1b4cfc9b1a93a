import { describe, expect, it } from 'vitest';
import { connectBanner } from './banner.ts';

describe('the start banner', () => {
  const base = { url: 'http://127.0.0.1:8080/', readOnly: false, auth: false };

  it('says whether the shared state answers', () => {
    expect(connectBanner({ ...base, sharedState: { address: 'redis://nas:6379/0', up: true, fallbackPercent: 25 } })).toContain(
      'Shared state: redis://nas:6379/0, connected: pacing with the other gateways of this account.',
    );
    expect(connectBanner({ ...base, sharedState: { address: 'redis://nas:6379/0', up: false, fallbackPercent: 25 } })).toContain(
      'Shared state: redis://nas:6379/0, NOT reachable: pacing alone at 25% of the budget until it answers.',
    );
  });

  it('says nothing of it without one', () => {
    expect(connectBanner(base)).not.toContain('Shared state');
  });
});
