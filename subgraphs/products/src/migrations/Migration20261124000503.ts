import { Migration } from '@mikro-orm/migrations';

export class Migration20261124000503 extends Migration {
  override name = 'Migration20261124000503';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "category" ("id" uuid not null, "slug" varchar(100) not null, "name" varchar(100) not null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`alter table "category" add constraint "category_slug_unique" unique ("slug");`);

    this.addSql(
      `create table "outbox_message" ("seq" bigserial primary key, "event_id" uuid not null, "topic" varchar(255) not null, "key" varchar(255) not null, "envelope" jsonb not null, "created_at" timestamptz not null);`,
    );
    this.addSql(
      `alter table "outbox_message" add constraint "outbox_message_event_id_unique" unique ("event_id");`,
    );

    this.addSql(
      `create table "processed_event" ("consumer" varchar(255) not null, "event_id" uuid not null, "processed_at" timestamptz not null, primary key ("consumer", "event_id"));`,
    );

    this.addSql(
      `create table "product" ("id" uuid not null, "sku" varchar(64) not null, "slug" varchar(200) not null, "name" varchar(200) not null, "description" text null, "price_minor" int not null, "category_id" uuid not null, "in_stock" boolean not null default false, "stock_changed_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "search_vector" tsvector generated always as (setweight(to_tsvector('simple'::regconfig, regexp_replace("name", '[[:punct:]]+', ' ', 'g')), 'A') || setweight(to_tsvector('simple'::regconfig, regexp_replace("sku", '[[:punct:]]+', ' ', 'g') || ' ' || regexp_replace("sku", '[[:punct:]]+', '', 'g')), 'A') || setweight(to_tsvector('simple'::regconfig, regexp_replace(coalesce("description", ''), '[[:punct:]]+', ' ', 'g')), 'B')) stored null, primary key ("id"));`,
    );
    this.addSql(`alter table "product" add constraint "product_slug_unique" unique ("slug");`);
    this.addSql(`create index "product_category_id_index" on "product" ("category_id");`);
    this.addSql(
      `create index "product_search_vector_index" on "public"."product" using gin("search_vector");`,
    );
    this.addSql(`create index "product_created_at_id_index" on "product" ("created_at", "id");`);
    this.addSql(`create index "product_price_minor_id_index" on "product" ("price_minor", "id");`);
    this.addSql(`create index "product_name_lower_id_index" on "product" (lower("name"), "id");`);
    this.addSql(`create unique index "product_sku_lower_unique" on "product" (lower("sku"));`);
    this.addSql(`alter table "product" add constraint "product_price_minor_check" check (price_minor > 0);`);

    this.addSql(
      `alter table "product" add constraint "product_category_id_foreign" foreign key ("category_id") references "category" ("id");`,
    );
  }
}
