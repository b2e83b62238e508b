import { Migration } from '@mikro-orm/migrations';

export class Migration20261124002046 extends Migration {
  override name = 'Migration20261124002046';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "account" ("id" uuid not null, "email" varchar(254) not null, "password_hash" text not null, "roles" text[] not null, "name" varchar(100) not null, "name_updated_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`alter table "account" add constraint "account_email_unique" unique ("email");`);
    this.addSql(
      `alter table "account" add constraint "account_email_check" check (email = lower(btrim(email)));`,
    );
    this.addSql(
      `alter table "account" add constraint "account_roles_check" check (cardinality(roles) > 0 and roles <@ array['CUSTOMER', 'ADMIN']::text[]);`,
    );

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
      `create table "session" ("id" uuid not null, "account_id" uuid not null, "created_at" timestamptz not null, "revoked_at" timestamptz null, "revoked_reason" varchar(20) null, primary key ("id"));`,
    );
    this.addSql(`create index "session_account_id_index" on "session" ("account_id");`);
    this.addSql(
      `alter table "session" add constraint "session_revoked_reason_check" check (revoked_reason in ('logout', 'reuse'));`,
    );

    this.addSql(
      `create table "refresh_token" ("id" uuid not null, "session_id" uuid not null, "token_hash" varchar(64) not null, "created_at" timestamptz not null, "expires_at" timestamptz not null, "used_at" timestamptz null, primary key ("id"));`,
    );
    this.addSql(`create index "refresh_token_session_id_index" on "refresh_token" ("session_id");`);
    this.addSql(
      `alter table "refresh_token" add constraint "refresh_token_token_hash_unique" unique ("token_hash");`,
    );

    this.addSql(
      `create table "signing_key" ("kid" varchar(64) not null, "alg" varchar(16) not null, "public_jwk" jsonb not null, "private_key" text not null, "private_key_encryption" varchar(20) not null, "created_at" timestamptz not null, "retired_at" timestamptz null, primary key ("kid"));`,
    );

    this.addSql(
      `alter table "session" add constraint "session_account_id_foreign" foreign key ("account_id") references "account" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "refresh_token" add constraint "refresh_token_session_id_foreign" foreign key ("session_id") references "session" ("id") on delete cascade;`,
    );
  }
}
