import type { Messages } from './messages.js'

/** French. Keys left out fall back to English. */
export const fr: Partial<Messages> = {
  // shell
  'nav.label': 'Portail client',
  'nav.dashboard': 'Tableau de bord',
  'nav.invoices': 'Factures',
  'nav.billing': 'Facturation',
  'nav.return': 'Retour',
  'state.loading': 'Chargement…',
  'state.retry': 'Réessayer',
  'state.expired.title': 'Votre session a expiré',
  'state.expired.body': 'Rechargez la page ou reconnectez-vous pour continuer.',
  'state.error.title': 'Une erreur est survenue',
  'state.error.body': 'Le portail n’a pas pu charger votre compte. Réessayez dans un instant.',
  'state.unauthorized.body': 'Cette session n’a pas accès à ce compte. Reconnectez-vous pour continuer.',
  'logo.alt': 'Logo',
  'dialog.cancel': 'Annuler',
  'dialog.confirm': 'Confirmer',
}
