import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { SpanStatusCode } from '@opentelemetry/api';
import { errorCodeOf } from '../errors.js';
import { SERVER_ERROR_CODES } from '../metrics.js';
import { graphqlSpanOf } from '../http-tracing.js';
import { ATTR_GRAPHQL_OPERATION_NAME, ATTR_GRAPHQL_OPERATION_TYPE } from '../semconv.js';

/**
 * Describes the request's GraphQL operation span (started by `graphqlOperationSpan` around Apollo's
 * handler): once the operation is resolved it is named `<type> <name>` (`mutation placeOrder`, GraphQL
 * semantic conventions) with `graphql.operation.type`/`.name`; when the response carries errors their
 * codes go in `graphql.error.codes`, and an internal error marks the span failed. Does nothing for a
 * request without that span (tracing off, `executeOperation` outside HTTP).
 */
export function tracingPlugin<C extends BaseContext>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      const span = graphqlSpanOf();
      if (!span?.isRecording()) return {};
      return {
        async didResolveOperation({ operation, operationName }) {
          if (!operation) return;
          const name = operationName ?? operation.name?.value;
          span.updateName(name ? `${operation.operation} ${name}` : operation.operation);
          span.setAttribute(ATTR_GRAPHQL_OPERATION_TYPE, operation.operation);
          if (name) span.setAttribute(ATTR_GRAPHQL_OPERATION_NAME, name);
        },
        async willSendResponse({ errors }) {
          if (!errors?.length) return;
          const codes = errors.map(errorCodeOf);
          span.setAttribute('graphql.error.codes', [...new Set(codes)]);
          const failed = errors.find((e) => SERVER_ERROR_CODES.has(errorCodeOf(e)));
          if (failed) span.setStatus({ code: SpanStatusCode.ERROR, message: failed.message });
        },
      };
    },
  };
}
