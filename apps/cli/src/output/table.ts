export type Cell = string | number | boolean | null | undefined;

export interface Column<T> {
  header: string;
  value: (row: T) => Cell;
}

/**
 * A plain-text table: a header, a rule, one line per row and optional footer lines (totals) under a second
 * rule. Columns of numbers (amounts included) are right-aligned; empty cells show as "-".
 */
export function renderTable<T>(columns: readonly Column<T>[], rows: readonly T[], footer: readonly T[] = []): string {
  if (rows.length === 0) return '(none)\n';
  const cells = (row: T) => columns.map((column) => column.value(row));
  const body = rows.map(cells);
  const totals = footer.map(cells);
  const text = (cell: Cell) => (cell === null || cell === undefined || cell === '' ? '-' : String(cell));
  const widths = columns.map((column, i) =>
    Math.max(column.header.length, ...[...body, ...totals].map((line) => text(line[i]).length)),
  );
  const line = (values: Cell[], numeric: boolean[]) =>
    values
      .map((cell, i) => (numeric[i] ? text(cell).padStart(widths[i]) : text(cell).padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const numericColumn = columns.map((_column, i) => {
    const filled = body.map((values) => values[i]).filter((cell) => cell !== null && cell !== undefined && cell !== '');
    return filled.length > 0 && filled.every(looksNumeric);
  });
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  const out = [
    line(
      columns.map((column) => column.header),
      numericColumn,
    ),
    rule,
  ];
  for (const values of body) out.push(line(values, numericColumn));
  if (totals.length > 0) out.push(rule, ...totals.map((values) => line(values, numericColumn)));
  return `${out.join('\n')}\n`;
}

/** Label: value lines, labels aligned; entries with an undefined value are left out. */
export function renderFields(fields: ReadonlyArray<readonly [string, Cell]>): string {
  const shown = fields.filter(([, value]) => value !== undefined);
  const width = Math.max(...shown.map(([label]) => label.length));
  return shown
    .map(([label, value]) => `${label.padEnd(width)}  ${value === null || value === '' ? '-' : String(value)}`)
    .join('\n')
    .concat('\n');
}

function looksNumeric(cell: Cell): boolean {
  return typeof cell === 'number' || /^-?\$?\d[\d.,]*$/.test(String(cell));
}
