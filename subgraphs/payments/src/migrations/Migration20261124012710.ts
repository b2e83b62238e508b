import { Migration } from '@mikro-orm/migrations';

export class Migration20261124012710 extends Migration {

  override name = 'Migration20261124012710';

  override up(): void | Promise<void> {
    this.addSql(`create table "outbox_message" ("seq" bigserial primary key, "event_id" uuid not null, "topic" varchar(255) not null, "key" varchar(255) not null, "envelope" jsonb not null, "created_at" timestamptz not null);`);
    this.addSql(`alter table "outbox_message" add constraint "outbox_message_event_id_unique" unique ("event_id");`);

    this.addSql(`create table "payment" ("id" uuid not null, "order_id" uuid not null, "customer_id" uuid not null, "amount_minor" int not null, "currency_code" varchar(3) not null, "payment_token" text not null, "status" text not null, "provider_ref" varchar(255) null, "decline_reason" varchar(255) null, "refund_ref" varchar(255) null, "stock_reserved_at" timestamptz null, "cancelled_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "payment" add constraint "payment_order_id_unique" unique ("order_id");`);
    this.addSql(`create index "payment_customer_id_index" on "payment" ("customer_id");`);
    this.addSql(`alter table "payment" add constraint "payment_amount_minor_not_negative" check (amount_minor >= 0);`);
    this.addSql(`alter table "payment" add constraint "payment_status_check" check ("status" in ('PENDING', 'SUCCEEDED', 'DECLINED', 'REFUNDED'));`);

    this.addSql(`create table "payment_signal" ("order_id" uuid not null, "stock_reserved_at" timestamptz null, "cancelled_at" timestamptz null, "created_at" timestamptz not null, primary key ("order_id"));`);

    this.addSql(`create table "processed_event" ("consumer" varchar(255) not null, "event_id" uuid not null, "processed_at" timestamptz not null, primary key ("consumer", "event_id"));`);

    this.addSql(`create table "sandbox_charge" ("idempotency_key" varchar(255) not null, "provider_ref" varchar(255) not null, "amount_minor" int not null, "currency_code" varchar(3) not null, "token" text not null, "outcome" text not null, "reason" varchar(255) null, "created_at" timestamptz not null, primary key ("idempotency_key"));`);
    this.addSql(`alter table "sandbox_charge" add constraint "sandbox_charge_provider_ref_unique" unique ("provider_ref");`);
    this.addSql(`alter table "sandbox_charge" add constraint "sandbox_charge_outcome_check" check ("outcome" in ('succeeded', 'declined'));`);

    this.addSql(`create table "sandbox_refund" ("idempotency_key" varchar(255) not null, "refund_ref" varchar(255) not null, "charge_ref" varchar(255) not null, "amount_minor" int not null, "created_at" timestamptz not null, primary key ("idempotency_key"));`);
    this.addSql(`alter table "sandbox_refund" add constraint "sandbox_refund_refund_ref_unique" unique ("refund_ref");`);
    this.addSql(`alter table "sandbox_refund" add constraint "sandbox_refund_charge_ref_unique" unique ("charge_ref");`);
  }

}
