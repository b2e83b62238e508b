import { Migration } from '@mikro-orm/migrations';

export class Migration20261124011729 extends Migration {

  override name = 'Migration20261124011729';

  override up(): void | Promise<void> {
    this.addSql(`create table "outbox_message" ("seq" bigserial primary key, "event_id" uuid not null, "topic" varchar(255) not null, "key" varchar(255) not null, "envelope" jsonb not null, "created_at" timestamptz not null);`);
    this.addSql(`alter table "outbox_message" add constraint "outbox_message_event_id_unique" unique ("event_id");`);

    this.addSql(`create table "processed_event" ("consumer" varchar(255) not null, "event_id" uuid not null, "processed_at" timestamptz not null, primary key ("consumer", "event_id"));`);
  }

}
