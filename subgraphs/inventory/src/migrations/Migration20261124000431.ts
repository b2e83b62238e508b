import { Migration } from '@mikro-orm/migrations';

export class Migration20261124000431 extends Migration {
  override name = 'Migration20261124000431';

  override up(): void | Promise<void> {
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
      `create table "stock" ("product_id" uuid not null, "on_hand" int not null default 0, "reserved" int not null default 0, "updated_at" timestamptz not null, primary key ("product_id"));`,
    );
    this.addSql(
      `alter table "stock" add constraint "stock_on_hand_covers_reserved" check (on_hand >= reserved and reserved >= 0);`,
    );

    this.addSql(
      `create table "stock_reservation" ("id" uuid not null, "order_id" uuid not null, "product_id" uuid not null, "quantity" int not null, "status" text not null, "expires_at" timestamptz not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `create index "stock_reservation_status_expires_at_index" on "stock_reservation" ("status", "expires_at");`,
    );
    this.addSql(
      `alter table "stock_reservation" add constraint "stock_reservation_order_product_unique" unique ("order_id", "product_id");`,
    );
    this.addSql(
      `alter table "stock_reservation" add constraint "stock_reservation_quantity_positive" check (quantity > 0);`,
    );
    this.addSql(
      `alter table "stock_reservation" add constraint "stock_reservation_status_check" check ("status" in ('RESERVED', 'COMMITTED', 'RELEASED'));`,
    );
  }
}
