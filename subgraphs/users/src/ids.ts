const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True when `id` can be a key of this subgraph (a UUID); anything else names nothing here. */
export const isUuid = (id: string): boolean => UUID.test(id);
