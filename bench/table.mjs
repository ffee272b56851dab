// The bench's one table: every figure with its baseline, its goal and whether it is met.
//
// A row's `status` is one of:
//   pass    the goal is met
//   over    a goal (not a budget) is missed: reported, the run still succeeds
//   FAIL    a budget is missed: `npm run bench` exits non-zero
//   info    a figure with no goal of its own (e.g. the baseline it is compared with)
//   skip    could not be measured (the note says why); counts as a failure for budgets

/** @typedef {{ measure: string, figure: string, baseline?: string, goal: string, status: 'pass'|'over'|'FAIL'|'info'|'skip', budget?: boolean, note?: string }} Row */

export const KB = 1024

/** `12.3 KB` for sizes (1 KB = 1,024 bytes, as the size tests count). */
export function kb(bytes) {
  return `${(bytes / KB).toFixed(1)} KB`
}

export function ms(value) {
  return `${value.toFixed(value < 10 ? 2 : 1)} ms`
}

/** Nearest-rank percentile (p in 0..100) of a non-empty list. */
export function percentile(values, p) {
  if (values.length === 0) throw new Error('percentile() of an empty list')
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]
}

export const median = (values) => percentile(values, 50)

/**
 * Status against a budget (a hard limit) and an optional goal (a softer aim):
 * over the budget -> FAIL, within it but over the goal -> over, else pass.
 */
export function verdict(value, { budget, goal }) {
  if (budget !== undefined && value > budget) return 'FAIL'
  if (goal !== undefined && value > goal) return 'over'
  return 'pass'
}

/** A row fails the run when it is a missed budget, or a budget that could not be measured. */
export function failed(row) {
  return row.status === 'FAIL' || (row.status === 'skip' && row.budget === true)
}

const HEADER = ['measure', 'figure', 'baseline', 'goal', 'met']

/** Markdown table (so `docs/benchmarks.md` can take it as is), columns padded for the terminal. */
export function renderTable(rows) {
  const cells = [HEADER, ...rows.map((r) => [r.measure, r.figure, r.baseline ?? '', r.goal, r.status + (r.note ? ` (${r.note})` : '')])]
  const escape = (text) => String(text).replaceAll('|', '\\|')
  const widths = HEADER.map((_, column) => Math.max(...cells.map((row) => escape(row[column]).length)))
  const line = (row) => `| ${row.map((cell, column) => escape(cell).padEnd(widths[column])).join(' | ')} |`
  return [line(cells[0]), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.slice(1).map(line)].join('\n')
}
