/**
 * The kinds of value a config key can hold, declared as plain data (kind, bounds, default) so that
 * one declaration gives both the TypeScript types (`Output`, `Input`) and the checks (`validate`).
 * Small on purpose: it is on the import path of `createPerformance`, where zod alone cost ~45 ms.
 */

/** `true` or `false`. */
export interface BooleanField {
  readonly kind: 'boolean';
  readonly default?: boolean;
}

/** A whole number within `min` and `max`, both included. */
export interface IntegerField {
  readonly kind: 'integer';
  readonly min: number;
  readonly max: number;
  readonly default?: number;
}

/** A string of at least one character. */
export interface StringField {
  readonly kind: 'string';
  readonly default?: string;
}

/** An absolute `http://` or `https://` URL. */
export interface UrlField {
  readonly kind: 'url';
  readonly default?: string;
}

/** A PostgreSQL connection URL (`postgres://…` or `postgresql://…`); shown without its password in errors. */
export interface PostgresUrlField {
  readonly kind: 'postgres-url';
}

/** One of a fixed list of strings. */
export interface EnumField<V extends string = string> {
  readonly kind: 'enum';
  readonly values: readonly V[];
  readonly default?: V;
}

/** An object whose names are non-empty strings and whose values are strings (HTTP headers). */
export interface RecordField {
  readonly kind: 'record';
}

/** A list of objects (at most `maxItems`), each checked further by whoever reads it (alert rules). */
export interface ListField {
  readonly kind: 'list';
  readonly maxItems: number;
}

/** A nested block: only the keys of `shape`, each filled with its default when absent; itself filled when absent. */
export interface ObjectField<S extends Shape = Shape> {
  readonly kind: 'object';
  readonly shape: S;
}

export type Field = BooleanField | IntegerField | StringField | UrlField | PostgresUrlField | EnumField | RecordField | ListField | ObjectField;
export interface Shape {
  readonly [key: string]: Field;
}

/** A scalar's options: with a `default` the key is always in the output, without it the key is optional. */
export interface Options<T> {
  readonly default?: T;
}

export function boolean<O extends Options<boolean>>(options?: O): BooleanField & O {
  return { kind: 'boolean', ...options } as BooleanField & O;
}

export function integer<O extends Options<number> & { readonly min: number; readonly max: number }>(options: O): IntegerField & O {
  return { kind: 'integer', ...options };
}

export function nonEmptyString<O extends Options<string>>(options?: O): StringField & O {
  return { kind: 'string', ...options } as StringField & O;
}

export function httpUrl<O extends Options<string>>(options?: O): UrlField & O {
  return { kind: 'url', ...options } as UrlField & O;
}

export function postgresUrl(): PostgresUrlField {
  return { kind: 'postgres-url' };
}

export function oneOf<const V extends string, const O extends Options<V>>(values: readonly V[], options?: O): EnumField<V> & O {
  return { kind: 'enum', values, ...options } as EnumField<V> & O;
}

export function stringRecord(): RecordField {
  return { kind: 'record' };
}

export function objectList(maxItems: number): ListField {
  return { kind: 'list', maxItems };
}

export function object<const S extends Shape>(shape: S): ObjectField<S> {
  return { kind: 'object', shape };
}

/** Whether the key is always in the output: it has a default, or it is a block (filled with its defaults). */
type Filled<F> = F extends ObjectField ? true : F extends { readonly default: unknown } ? true : false;
type FilledKeys<S extends Shape> = { [K in keyof S]: Filled<S[K]> extends true ? K : never }[keyof S];

type ValueOf<F, Side extends 'output' | 'input'> = F extends ObjectField<infer S>
  ? Side extends 'output' ? Output<S> : Input<S>
  : F extends EnumField<infer V>
    ? V
    : F extends RecordField
      ? Record<string, string>
      : F extends ListField
        ? Record<string, unknown>[]
      : F extends IntegerField
        ? number
        : F extends BooleanField
          ? boolean
          : string;

/** One object type rather than an intersection, so that editors show the keys (their JSDoc stays linked). */
type Flat<T> = { [K in keyof T]: T[K] } & {};

/** The validated block: keys with a default and nested blocks always present, the others optional. */
export type Output<S extends Shape> = Flat<
  { -readonly [K in keyof S as K extends FilledKeys<S> ? K : never]: ValueOf<S[K], 'output'> } & {
    -readonly [K in keyof S as K extends FilledKeys<S> ? never : K]?: ValueOf<S[K], 'output'>;
  }
>;

/** What a caller may pass: every key optional, nested blocks too. */
export type Input<S extends Shape> = { -readonly [K in keyof S]?: ValueOf<S[K], 'input'> };
