import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { composeWith, validateContractOperations } from '../../../schema/src/supergraph/index.js';

const sdl = readFileSync(new URL('../notifications.graphql', import.meta.url), 'utf8');

/**
 * notifications.graphql composes with every subgraph registered in supergraph.yaml (through the
 * schema pipeline's own helpers), and the contract's notification operations validate against the
 * API schema.
 */
describe('notifications.graphql in the supergraph', () => {
  it('composes and serves MyNotifications, MarkNotificationRead and MarkAllNotificationsRead', async () => {
    const supergraphSdl = await composeWith({ name: 'notifications', sdl });
    const ours = await validateContractOperations(supergraphSdl, [
      'MyNotifications',
      'MarkNotificationRead',
      'MarkAllNotificationsRead',
    ]);
    expect(ours.map((o) => [o.name, o.errors])).toEqual([
      ['MyNotifications', []],
      ['MarkNotificationRead', []],
      ['MarkAllNotificationsRead', []],
    ]);
  });
});
