import { Migration } from '@mikro-orm/migrations';

export class Migration20261124015459 extends Migration {

  override name = 'Migration20261124015459';

  override up(): void | Promise<void> {
    this.addSql(`create table "co_purchase" ("product_id" uuid not null, "other_id" uuid not null, "order_count" int not null default 0, primary key ("product_id", "other_id"));`);

    this.addSql(`create table "counted_order" ("order_id" uuid not null, "customer_id" uuid not null, "lines" jsonb not null, "cancelled" boolean not null default false, primary key ("order_id"));`);

    this.addSql(`create table "customer_purchase" ("customer_id" uuid not null, "product_id" uuid not null, "units_bought" int not null default 0, primary key ("customer_id", "product_id"));`);

    this.addSql(`create table "outbox_message" ("seq" bigserial primary key, "event_id" uuid not null, "topic" varchar(255) not null, "key" varchar(255) not null, "envelope" jsonb not null, "created_at" timestamptz not null);`);
    this.addSql(`alter table "outbox_message" add constraint "outbox_message_event_id_unique" unique ("event_id");`);

    this.addSql(`create table "processed_event" ("consumer" varchar(255) not null, "event_id" uuid not null, "processed_at" timestamptz not null, primary key ("consumer", "event_id"));`);

    this.addSql(`create table "product_category" ("product_id" uuid not null, "category_id" uuid not null, "changed_at" timestamptz not null, primary key ("product_id"));`);
    this.addSql(`create index "product_category_category_id_index" on "product_category" ("category_id");`);

    this.addSql(`create table "product_sales" ("product_id" uuid not null, "units_sold" int not null default 0, primary key ("product_id"));`);
  }

}
