// The columns of a type's inventory CSV, and how a stored record fills them (SPEC §8.1).
import type { Row, Value } from '../types/fields.ts';
import { wholeSeconds } from '../time.ts';
import { keyParts } from '../types/normalise.ts';
import type { ResourceType } from '../types/type.ts';
import { cell, type Cell, csvCells } from './csv.ts';

/** Key parts of composite keys get their own columns, unless they are fields already. */
function partColumns(type: ResourceType): string[] {
  if (type.key.length === 1) return [];
  const fields = new Set(type.fields.map((f) => f.name));
  return type.key.map((k) => k.name).filter((name) => !fields.has(name));
}

/** SPEC §8.1 and §5: the documented (non-private) fields; private ones only when they were stored. */
function exportedFields(type: ResourceType, withPrivate: boolean): string[] {
  return type.fields.filter((f) => withPrivate || !f.private).map((f) => f.name);
}

export function inventoryColumns(type: ResourceType, withPrivate: boolean): string[] {
  return [
    'source',
    'resource_type',
    'stats_on_date',
    'id',
    ...partColumns(type),
    ...exportedFields(type, withPrivate),
    'is_added',
    'is_modified',
    'is_removed',
  ];
}

/** The `id` a person reads: the natural key, composite parts joined by `/`. */
export function displayId(type: ResourceType, key: string): string {
  return keyParts(type, key).join('/');
}

/**
 * A field's value as a cell: stored times keep their milliseconds, the export prints whole seconds
 * (README, Reports); inventory rows and the old and new values of changes alike.
 */
export function fieldCell(type: ResourceType): (field: string, value: Value | null | undefined) => Cell {
  const times = new Set(type.fields.filter((f) => f.kind === 'time').map((f) => f.name));
  return (field, value) => (typeof value === 'string' && times.has(field) ? wholeSeconds(value) : cell(value));
}

/** The CSV text of `id`, key parts and fields for one stored record (without a line end). */
export function recordBody(type: ResourceType, withPrivate: boolean): (key: string, json: string) => string {
  const parts = partColumns(type);
  const fields = exportedFields(type, withPrivate);
  const shown = fieldCell(type);
  const partIndex = parts.map((name) => type.key.findIndex((k) => k.name === name));
  return (key, json) => {
    const record = JSON.parse(json) as Row;
    const values = keyParts(type, key);
    const cells: Cell[] = [values.join('/')];
    for (const index of partIndex) cells.push(values[index]);
    for (const field of fields) cells.push(shown(field, record[field]));
    return csvCells(cells);
  };
}
