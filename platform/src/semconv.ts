/**
 * The OpenTelemetry semantic-convention attribute names the kit records that are still "incubating"
 * (not yet stable) in `@opentelemetry/semantic-conventions`. Copied here rather than imported from its
 * `incubating` entry point, as that package advises: an incubating name may change in a minor release,
 * and a dashboard built on ours should change only when we decide. Stable names are imported directly.
 */

export const ATTR_MESSAGING_SYSTEM_NAME = 'messaging.system.name';
export const ATTR_MESSAGING_DESTINATION_NAME = 'messaging.destination.name';
export const ATTR_MESSAGING_DESTINATION_PARTITION_ID = 'messaging.destination.partition.id';
export const ATTR_MESSAGING_OPERATION_NAME = 'messaging.operation.name';
export const ATTR_MESSAGING_OPERATION_TYPE = 'messaging.operation.type';
export const ATTR_MESSAGING_CONSUMER_GROUP_NAME = 'messaging.consumer.group.name';
export const ATTR_MESSAGING_MESSAGE_ID = 'messaging.message.id';
export const ATTR_MESSAGING_CLIENT_ID = 'messaging.client.id';
export const ATTR_KAFKA_MESSAGE_KEY = 'kafka.message.key';
export const ATTR_KAFKA_OFFSET = 'kafka.offset';

export const ATTR_GRAPHQL_OPERATION_NAME = 'graphql.operation.name';
export const ATTR_GRAPHQL_OPERATION_TYPE = 'graphql.operation.type';

export const ATTR_HOST_NAME = 'host.name';
export const ATTR_PROCESS_PID = 'process.pid';

/** Not a semantic convention: the subgraph a federated fetch goes to (Apollo Router's attribute name). */
export const ATTR_SUBGRAPH_NAME = 'subgraph.name';
