/**
 * The invoices view's English strings. They ship in the view's own chunk, which adds them to the English table
 * when it loads (views/index.ts, pricing.ts); the key names are listed in ./messages.ts
 * (`onDemandKeys`) so `messages` overrides are checked before then.
 */
export const invoicesEn = {
  'invoices.caption': 'Your invoices, newest first',
  'invoices.col.date': 'Date',
  'invoices.col.number': 'Number',
  'invoices.col.amount': 'Amount',
  'invoices.col.status': 'Status',
  'invoices.col.links': 'Documents',
  'invoices.status.draft': 'Draft',
  'invoices.status.open': 'Open',
  'invoices.status.paid': 'Paid',
  'invoices.status.void': 'Void',
  'invoices.status.uncollectible': 'Uncollectible',
  'invoices.pdf': 'PDF',
  'invoices.pdfLabel': 'Download invoice {number} as PDF (opens in a new tab)',
  'invoices.hosted': 'View',
  'invoices.hostedLabel': 'View invoice {number} online (opens in a new tab)',
  'invoices.details': 'Details',
  'invoices.detailsLabel': 'Details of invoice {number}',
  'invoices.lines.description': 'Description',
  'invoices.lines.quantity': 'Quantity',
  'invoices.lines.caption': 'Lines of invoice {number}',
  'invoices.lines.period': '{start} – {end}',
  'invoices.lines.empty': 'This invoice has no lines.',
  'invoices.lines.error': 'We couldn’t load the lines of this invoice.',
  'invoices.loadMore': 'Load more',
  'invoices.loaded': '{count} more invoices shown.',
  'invoices.empty.title': 'No invoices yet',
  'invoices.empty.body': 'Your invoices appear here after your first payment.',
}
