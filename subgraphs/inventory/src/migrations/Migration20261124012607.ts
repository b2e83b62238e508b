import { Migration } from '@mikro-orm/migrations';

export class Migration20261124012607 extends Migration {

  override name = 'Migration20261124012607';

  override up(): void | Promise<void> {
    this.addSql(`create table "order_decision" ("order_id" uuid not null, "outcome" text not null, "decided_at" timestamptz not null, primary key ("order_id"));`);

    this.addSql(`alter table "stock_reservation" drop constraint "stock_reservation_status_check";`);
    this.addSql(`alter table "stock_reservation" add constraint "stock_reservation_status_check" check ("status" in ('RESERVED', 'COMMITTED', 'RELEASED', 'RETURNED'));`);

    this.addSql(`alter table "order_decision" add constraint "order_decision_outcome_check" check ("outcome" in ('RESERVED', 'REJECTED', 'CANCELLED'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "order_decision" cascade;`);

    this.addSql(`alter table "stock_reservation" drop constraint "stock_reservation_status_check";`);
    this.addSql(`alter table "stock_reservation" add constraint "stock_reservation_status_check" check ("status" in ('RESERVED', 'COMMITTED', 'RELEASED'));`);
  }

}
