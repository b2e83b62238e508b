import { context, SpanKind, trace } from '@opentelemetry/api';
import {
  ATTR_DB_COLLECTION_NAME,
  ATTR_DB_NAMESPACE,
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_QUERY_SUMMARY,
  ATTR_DB_QUERY_TEXT,
  ATTR_DB_SYSTEM_NAME,
  ATTR_ERROR_TYPE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
} from '@opentelemetry/semantic-conventions';
import { isRecording, recordSpanError, tracer } from './trace-context.js';

/** Longest `db.query.text` recorded; longer statements are cut (with `…`). */
const MAX_QUERY_TEXT = 2_000;

/**
 * The statement with its literals replaced by `?`: MikroORM inlines parameter values into the SQL it
 * sends, and a trace must not carry customers' emails or password hashes. Quoted identifiers
 * (`"o0"."id"`) and placeholders (`$1`) are kept.
 */
export function sanitizeSql(sql: string): string {
  const text = sql
    // E'...' strings take backslash escapes; standard ones only double their quotes.
    .replace(/\bE'(?:[^'\\]|\\.|'')*'/gi, '?')
    .replace(/'(?:[^']|'')*'/g, '?')
    .replace(/(?<![\w$".])-?\b\d+(?:\.\d+)?(?:e[+-]?\d+)?\b/gi, '?');
  return text.length > MAX_QUERY_TEXT ? `${text.slice(0, MAX_QUERY_TEXT)}…` : text;
}

/**
 * `db.operation.name` (the statement's first keyword, upper-cased) and `db.collection.name` (the table
 * of a single-table `select`/`insert`/`update`/`delete`), for the span name `SELECT outbox_message`.
 */
export function sqlSummary(sql: string): { operation: string; collection?: string } {
  const body = sql.replace(/^(?:\s+|--[^\n]*\n|\/\*[\s\S]*?\*\/)+/, '');
  const operation = (/^[a-z]+/i.exec(body)?.[0] ?? 'SQL').toUpperCase();
  const pattern =
    operation === 'INSERT'
      ? /\binto\s+("?)([\w$]+)\1/i
      : operation === 'UPDATE'
        ? /^update\s+(?:only\s+)?("?)([\w$]+)\1/i
        : operation === 'SELECT' || operation === 'DELETE'
          ? /\bfrom\s+("?)([\w$]+)\1/i
          : undefined;
  const collection = pattern?.exec(body)?.[2];
  return collection ? { operation, collection } : { operation };
}

/** Where the database is, for the spans' `db.namespace` and `server.*`. */
export interface SqlTarget {
  dbName: string;
  host?: string;
  port?: number;
}

/** The part of a Kysely `DatabaseConnection` this wraps. */
interface QueryConnection {
  executeQuery(query: { sql: string }): Promise<unknown>;
}

/**
 * MikroORM's `onCreateConnection` hook (Kysely calls it once for each new pooled connection): wraps that
 * connection's `executeQuery`, through which every statement MikroORM sends passes (queries, flushes,
 * `begin`/`commit`, migrations), in a CLIENT span with the database semantic conventions (`db.query.text`
 * sanitized, see {@link sanitizeSql}). A statement gets a span only inside a recording span: SQL never
 * starts a trace of its own (the outbox relay's and sweeper's idle polls stay out of the traces), and with
 * tracing off the original method runs after one check.
 */
export function traceSqlConnection(target: SqlTarget) {
  const attributes = {
    [ATTR_DB_SYSTEM_NAME]: 'postgresql',
    [ATTR_DB_NAMESPACE]: target.dbName,
    ...(target.host ? { [ATTR_SERVER_ADDRESS]: target.host } : {}),
    ...(target.port ? { [ATTR_SERVER_PORT]: target.port } : {}),
  };
  return async (connection: unknown): Promise<void> => {
    const wrapped = connection as QueryConnection;
    const execute = wrapped.executeQuery.bind(wrapped);
    wrapped.executeQuery = (query) => {
      const parent = context.active();
      if (!isRecording(parent)) return execute(query);
      const { operation, collection } = sqlSummary(query.sql);
      const summary = collection ? `${operation} ${collection}` : operation;
      const span = tracer().startSpan(
        summary,
        {
          kind: SpanKind.CLIENT,
          attributes: {
            ...attributes,
            [ATTR_DB_OPERATION_NAME]: operation,
            [ATTR_DB_QUERY_SUMMARY]: summary,
            [ATTR_DB_QUERY_TEXT]: sanitizeSql(query.sql),
            ...(collection ? { [ATTR_DB_COLLECTION_NAME]: collection } : {}),
          },
        },
        parent,
      );
      return context
        .with(trace.setSpan(parent, span), () => execute(query))
        .then(
          (result) => {
            span.end();
            return result;
          },
          (error: unknown) => {
            recordSpanError(span, error);
            const code = (error as { code?: unknown }).code;
            span.setAttribute(ATTR_ERROR_TYPE, typeof code === 'string' ? code : (error as Error).name);
            span.end();
            throw error;
          },
        );
    };
  };
}
