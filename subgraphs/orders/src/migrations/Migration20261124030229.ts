import { Migration } from '@mikro-orm/migrations';

export class Migration20261124030229 extends Migration {

  override name = 'Migration20261124030229';

  override up(): void | Promise<void> {
    this.addSql(`alter table "customer_order" drop constraint "customer_order_cancellation_reason_check";`);
    this.addSql(`create index "customer_order_status_created_index" on "customer_order" ("status", "created_at");`);
    this.addSql(`alter table "customer_order" add constraint "customer_order_cancellation_reason_check" check ("cancellation_reason" in ('OUT_OF_STOCK', 'PAYMENT_DECLINED', 'CUSTOMER_CANCELLED', 'EXPIRED'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "customer_order_status_created_index";`);
    this.addSql(`alter table "customer_order" drop constraint "customer_order_cancellation_reason_check";`);
    this.addSql(`alter table "customer_order" add constraint "customer_order_cancellation_reason_check" check ("cancellation_reason" in ('OUT_OF_STOCK', 'PAYMENT_DECLINED', 'CUSTOMER_CANCELLED'));`);
  }

}
