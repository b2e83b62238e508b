import { Migration } from '@mikro-orm/migrations';

export class Migration20261124015612 extends Migration {

  override name = 'Migration20261124015612';

  override up(): void | Promise<void> {
    this.addSql(`create table "notification" ("id" uuid not null, "user_id" uuid not null, "type" text not null, "order_id" uuid null, "title" varchar(200) not null, "body" text not null, "read" boolean not null default false, "created_at" timestamptz(6) not null, "read_at" timestamptz(6) null, primary key ("id"));`);
    this.addSql(`create index "notification_user_created_index" on "notification" ("user_id", "created_at", "id");`);
    this.addSql(`create index "notification_user_unread_index" on "notification" ("user_id", "created_at", "id") where not "read";`);
    this.addSql(`create unique index "notification_user_type_order_unique" on "notification" ("user_id", "type", "order_id") nulls not distinct;`);
    this.addSql(`alter table "notification" add constraint "notification_type_check" check ("type" in ('WELCOME', 'ORDER_PLACED', 'ORDER_CONFIRMED', 'ORDER_CANCELLED'));`);

    this.addSql(`create table "outbox_message" ("seq" bigserial primary key, "event_id" uuid not null, "topic" varchar(255) not null, "key" varchar(255) not null, "envelope" jsonb not null, "created_at" timestamptz not null);`);
    this.addSql(`alter table "outbox_message" add constraint "outbox_message_event_id_unique" unique ("event_id");`);

    this.addSql(`create table "processed_event" ("consumer" varchar(255) not null, "event_id" uuid not null, "processed_at" timestamptz not null, primary key ("consumer", "event_id"));`);

    this.addSql(`create table "recipient" ("user_id" uuid not null, "email" varchar(320) not null, "name" varchar(100) not null, primary key ("user_id"));`);
  }

}
