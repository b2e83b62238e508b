import { randomUUID } from 'node:crypto';
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/** A catalog category. Products point at exactly one; the slug is the category's URL name. */
export const Category = defineEntity({
  name: 'Category',
  tableName: 'category',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    /** Lowercase ascii words joined by hyphens; unique. */
    slug: p.string().length(100).unique(),
    name: p.string().length(100),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type Category = InferEntity<typeof Category>;
