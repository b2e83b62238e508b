import { ChangeType, CriticalityLevel, diff, type Change } from '@graphql-inspector/core';
import type { GraphQLSchema } from 'graphql';

/** How much a schema change can hurt clients: graphql-inspector's criticality, in our words. */
export type ChangeLevel = 'breaking' | 'dangerous' | 'safe';

/** One difference between two API schemas. */
export interface SchemaChange {
  level: ChangeLevel;
  /** graphql-inspector's change type, e.g. `FIELD_REMOVED`. */
  type: string;
  /** The schema coordinate it concerns (`Query.product`, `OrderStatus.PAID`), `-` for a schema-level change. */
  path: string;
  /** graphql-inspector's sentence, e.g. `Field 'sku' was removed from object type 'Product'`. */
  message: string;
  /** Why it is breaking or dangerous, when graphql-inspector says. */
  reason?: string;
}

const LEVELS: Record<CriticalityLevel, ChangeLevel> = {
  [CriticalityLevel.Breaking]: 'breaking',
  [CriticalityLevel.Dangerous]: 'dangerous',
  [CriticalityLevel.NonBreaking]: 'safe',
};

/**
 * Every change from the `base` API schema to the `head` one, as graphql-inspector's `diff` finds them with
 * its default rules: breaking (a removed or retyped field, a new required argument or input field, a
 * removed enum value or union member, ...), dangerous (an added enum value, a changed default, ...) and
 * safe (additions, descriptions, deprecations). Ordered as graphql-inspector reports them.
 */
export async function diffApiSchemas(base: GraphQLSchema, head: GraphQLSchema): Promise<SchemaChange[]> {
  const changes: Change[] = await diff(base, head);
  return changes.map((change) => ({
    level: LEVELS[change.criticality.level],
    type: String(change.type),
    path: change.path ?? '-',
    message: change.message,
    ...(change.criticality.reason ? { reason: change.criticality.reason } : {}),
  }));
}

/** A reviewed breaking change: `<CHANGE_TYPE> <path> <reason>` on line `line` of the allowlist. */
export interface AllowedBreakingChange {
  type: string;
  path: string;
  reason: string;
  line: number;
}

/** The entries of an allowlist file, and what is wrong with the file itself. */
export interface BreakingChangesAllowlist {
  entries: AllowedBreakingChange[];
  /** Malformed, unknown or duplicate lines, one sentence each. */
  problems: string[];
}

const CHANGE_TYPES: ReadonlySet<string> = new Set(Object.values(ChangeType));
const DEFAULT_ALLOWLIST_FILE = 'breaking-changes-allowed.txt';

/**
 * Parses a breaking-changes allowlist: one change per line, `<CHANGE_TYPE> <path> <reason>` (the type is
 * graphql-inspector's, the path its schema coordinate, `-` for a schema-level change; the reason is the
 * rest of the line and may not be empty). Lines starting with `#` and blank lines are ignored. Lines
 * without a reason, with an unknown change type, or repeating an earlier entry are reported in `problems`.
 */
export function parseBreakingChangesAllowlist(
  text: string,
  fileName = DEFAULT_ALLOWLIST_FILE,
): BreakingChangesAllowlist {
  const entries: AllowedBreakingChange[] = [];
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const match = /^(\S+)\s+(\S+)\s+(.*\S)$/.exec(trimmed);
    if (!match) {
      problems.push(`${fileName}:${line}: "${trimmed}" needs a change type, a path and a reason`);
      return;
    }
    const [, type, path, reason] = match as unknown as [string, string, string, string];
    if (!CHANGE_TYPES.has(type)) {
      problems.push(
        `${fileName}:${line}: ${type} is not a graphql-inspector change type (e.g. FIELD_REMOVED)`,
      );
    } else if (entries.some((e) => e.type === type && e.path === path)) {
      problems.push(`${fileName}:${line}: ${type} ${path} is listed twice`);
    } else {
      entries.push({ type, path, reason, line });
    }
  });
  return { entries, problems };
}

/** A breaking change and the allowlist entry that accepts it, if any. */
export interface JudgedBreakingChange extends SchemaChange {
  allowedBy?: AllowedBreakingChange;
}

/** The outcome of comparing the API schema with the base's. */
export interface SchemaChangeVerdict {
  breaking: JudgedBreakingChange[];
  dangerous: SchemaChange[];
  safe: SchemaChange[];
  /** Everything that fails the check, one readable paragraph each; empty when the change may ship. */
  failures: string[];
}

/** Names shown in messages. */
export interface SchemaChangeContext {
  /** The git ref compared with, e.g. `origin/main`. */
  base: string;
  allowlistFile: string;
}

/**
 * Judges the changes against the allowlist. It fails (a message in `failures`) on every breaking change
 * no entry lists, and on every entry that matches no breaking change (the change it accepted has
 * landed in the base, or never happened), so the list only holds what the change under review breaks.
 * An entry matches a breaking change of the same type and path. Dangerous and safe changes never fail.
 */
export function judgeSchemaChanges(
  changes: readonly SchemaChange[],
  allowlist: readonly AllowedBreakingChange[],
  context: SchemaChangeContext,
): SchemaChangeVerdict {
  const entryFor = (change: SchemaChange) =>
    allowlist.find((entry) => entry.type === change.type && entry.path === change.path);
  const breaking: JudgedBreakingChange[] = changes
    .filter((change) => change.level === 'breaking')
    .map((change) => {
      const allowedBy = entryFor(change);
      return allowedBy ? { ...change, allowedBy } : { ...change };
    });
  const used = new Set(breaking.flatMap((change) => (change.allowedBy ? [change.allowedBy] : [])));
  const failures = [
    ...breaking
      .filter((change) => !change.allowedBy)
      .map(
        (change) =>
          `breaking change against ${context.base}: ${change.type} ${change.path}: ${change.message}` +
          (change.reason ? `\n  ${change.reason}` : '') +
          `\n  Once clients no longer depend on it, list it in ${context.allowlistFile}: ` +
          `${change.type} ${change.path} <why it is safe to ship>`,
      ),
    ...allowlist
      .filter((entry) => !used.has(entry))
      .map(
        (entry) =>
          `${context.allowlistFile}:${entry.line}: ${entry.type} ${entry.path} matches no breaking change ` +
          `against ${context.base}; remove the line.`,
      ),
  ];
  return {
    breaking,
    dangerous: changes.filter((change) => change.level === 'dangerous'),
    safe: changes.filter((change) => change.level === 'safe'),
    failures,
  };
}

/** A message on one line, at most `max` characters (descriptions quoted in messages run over many). */
function oneLine(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 3)}...`;
}

/**
 * The report of a verdict: a summary line, then one line per change, breaking first
 * (`  BREAKING   FIELD_REMOVED Query.b: Field 'b' was removed ... (allowed: <reason>)`); each message
 * on one line and cut at 200 characters.
 */
export function formatSchemaChanges(verdict: SchemaChangeVerdict, base: string): string[] {
  const { breaking, dangerous, safe } = verdict;
  const total = breaking.length + dangerous.length + safe.length;
  if (total === 0) return [`API schema against ${base}: no changes`];
  const allowed = breaking.filter((change) => change.allowedBy).length;
  const line = (label: string, change: SchemaChange, suffix = '') =>
    `  ${label.padEnd(10)} ${change.type} ${change.path}: ${oneLine(change.message)}${suffix}`;
  return [
    `API schema against ${base}: ${breaking.length} breaking (${allowed} allowed), ` +
      `${dangerous.length} dangerous, ${safe.length} safe`,
    ...breaking.map((change) =>
      line('BREAKING', change, change.allowedBy ? ` (allowed: ${change.allowedBy.reason})` : ''),
    ),
    ...dangerous.map((change) => line('DANGEROUS', change, change.reason ? ` (${change.reason})` : '')),
    ...safe.map((change) => line('SAFE', change)),
  ];
}
