import type { Messages } from './messages.js'

/** German. Keys left out fall back to English. */
export const de: Partial<Messages> = {
  // shell
  'nav.label': 'Kundenportal',
  'nav.dashboard': 'Übersicht',
  'nav.invoices': 'Rechnungen',
  'nav.billing': 'Abrechnung',
  'nav.return': 'Zurück',
  'state.loading': 'Wird geladen…',
  'state.retry': 'Erneut versuchen',
  'state.expired.title': 'Ihre Sitzung ist abgelaufen',
  'state.expired.body': 'Laden Sie die Seite neu oder melden Sie sich erneut an, um fortzufahren.',
  'state.error.title': 'Etwas ist schiefgelaufen',
  'state.error.body': 'Das Portal konnte Ihr Konto nicht laden. Versuchen Sie es gleich noch einmal.',
  'state.unauthorized.body': 'Diese Sitzung darf dieses Konto nicht sehen. Melden Sie sich erneut an, um fortzufahren.',
  'logo.alt': 'Logo',
  'dialog.cancel': 'Abbrechen',
  'dialog.confirm': 'Bestätigen',
}
