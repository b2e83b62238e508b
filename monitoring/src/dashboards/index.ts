import { businessDashboard } from './business.js';
import { kafkaDashboard } from './kafka.js';
import { routerDashboard } from './router.js';
import { subgraphDashboard } from './subgraph.js';

/** Every dashboard, built (Grafana's dashboard JSON model). */
export function dashboards() {
  return [routerDashboard(), subgraphDashboard(), kafkaDashboard(), businessDashboard()].map((b) =>
    b.build(),
  );
}
