import { Migration } from '@mikro-orm/migrations';

export class Migration20261124014321 extends Migration {

  override name = 'Migration20261124014321';

  override up(): void | Promise<void> {
    this.addSql(`create table "customer_order" ("id" uuid not null, "customer_id" uuid not null, "idempotency_key" varchar(100) not null, "request_fingerprint" varchar(64) not null, "status" text not null, "cancellation_reason" text null, "total_minor" int not null, "currency_code" varchar(3) not null, "payment_token" varchar(200) not null, "line1" varchar(200) not null, "line2" varchar(200) null, "city" varchar(100) not null, "postal_code" varchar(20) not null, "country" varchar(2) not null, "version" int not null default 1, "created_at" timestamptz(6) not null, "updated_at" timestamptz(6) not null, primary key ("id"));`);
    this.addSql(`create index "customer_order_customer_created_index" on "customer_order" ("customer_id", "created_at", "id");`);
    this.addSql(`alter table "customer_order" add constraint "customer_order_customer_idempotency_key_unique" unique ("customer_id", "idempotency_key");`);
    this.addSql(`alter table "customer_order" add constraint "customer_order_total_non_negative" check (total_minor >= 0);`);
    this.addSql(`alter table "customer_order" add constraint "customer_order_status_check" check ("status" in ('PENDING', 'RESERVED', 'CONFIRMED', 'CANCELLED'));`);
    this.addSql(`alter table "customer_order" add constraint "customer_order_cancellation_reason_check" check ("cancellation_reason" in ('OUT_OF_STOCK', 'PAYMENT_DECLINED', 'CUSTOMER_CANCELLED'));`);

    this.addSql(`create table "order_line" ("id" uuid not null, "order_id" uuid not null, "position" int not null, "product_id" uuid not null, "quantity" int not null, "unit_price_minor" int not null, "currency_code" varchar(3) not null, primary key ("id"));`);
    this.addSql(`create index "order_line_order_id_index" on "order_line" ("order_id");`);
    this.addSql(`alter table "order_line" add constraint "order_line_order_product_unique" unique ("order_id", "product_id");`);
    this.addSql(`alter table "order_line" add constraint "order_line_quantity_range" check (quantity between 1 and 100);`);

    this.addSql(`create table "order_status_change" ("id" uuid not null, "order_id" uuid not null, "status" text not null, "at" timestamptz(6) not null, "version" int not null, primary key ("id"));`);
    this.addSql(`create index "order_status_change_order_id_index" on "order_status_change" ("order_id");`);
    this.addSql(`alter table "order_status_change" add constraint "order_status_change_order_version_unique" unique ("order_id", "version");`);
    this.addSql(`alter table "order_status_change" add constraint "order_status_change_status_check" check ("status" in ('PENDING', 'RESERVED', 'CONFIRMED', 'CANCELLED'));`);

    this.addSql(`create table "outbox_message" ("seq" bigserial primary key, "event_id" uuid not null, "topic" varchar(255) not null, "key" varchar(255) not null, "envelope" jsonb not null, "created_at" timestamptz not null);`);
    this.addSql(`alter table "outbox_message" add constraint "outbox_message_event_id_unique" unique ("event_id");`);

    this.addSql(`create table "processed_event" ("consumer" varchar(255) not null, "event_id" uuid not null, "processed_at" timestamptz not null, primary key ("consumer", "event_id"));`);

    this.addSql(`create table "product_price" ("product_id" uuid not null, "price_minor" int not null, "currency_code" varchar(3) not null, "changed_at" timestamptz(6) not null, primary key ("product_id"));`);
  }

}
