import { Migration } from '@mikro-orm/migrations';

export class Migration20261124000504 extends Migration {
  override name = 'Migration20261124000504';

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
      `create table "user_profile" ("id" uuid not null, "name" varchar(100) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );

    this.addSql(
      `create table "address" ("id" uuid not null, "user_id" uuid not null, "line1" varchar(200) not null, "line2" varchar(200) null, "city" varchar(100) not null, "postal_code" varchar(20) not null, "country" varchar(2) not null, "is_default" boolean not null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "address_user_id_index" on "address" ("user_id");`);
    this.addSql(
      `create unique index "address_one_default_per_user" on "address" ("user_id") where "is_default";`,
    );

    this.addSql(
      `alter table "address" add constraint "address_user_id_foreign" foreign key ("user_id") references "user_profile" ("id");`,
    );
  }
}
