import type { EntityManager } from '@shop/platform';
import { Address } from './address.entity.js';

/** The addresses of `userIds` in one query, grouped by user, each list oldest first. */
export async function findAddressesOf(
  em: EntityManager,
  userIds: readonly string[],
): Promise<Map<string, Address[]>> {
  const byUser = new Map<string, Address[]>(userIds.map((id) => [id, []]));
  if (userIds.length === 0) return byUser;
  const rows = await em.find(
    Address,
    { user: { $in: [...userIds] } },
    // id breaks ties between addresses created in the same millisecond, so the order is stable.
    { orderBy: { createdAt: 'asc', id: 'asc' } },
  );
  for (const row of rows) byUser.get(row.user)?.push(row);
  return byUser;
}
