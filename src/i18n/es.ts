import type { Messages } from './messages.js'

/** Spanish. Keys left out fall back to English. */
export const es: Partial<Messages> = {
  // shell
  'nav.label': 'Portal de clientes',
  'nav.dashboard': 'Panel',
  'nav.invoices': 'Facturas',
  'nav.billing': 'Facturación',
  'nav.return': 'Volver',
  'state.loading': 'Cargando…',
  'state.retry': 'Reintentar',
  'state.expired.title': 'Tu sesión ha caducado',
  'state.expired.body': 'Recarga la página o vuelve a iniciar sesión para continuar.',
  'state.error.title': 'Algo salió mal',
  'state.error.body': 'El portal no pudo cargar tu cuenta. Inténtalo de nuevo en un momento.',
  'state.unauthorized.body': 'Esta sesión no tiene acceso a esta cuenta. Vuelve a iniciar sesión para continuar.',
  'logo.alt': 'Logotipo',
  'dialog.cancel': 'Cancelar',
  'dialog.confirm': 'Confirmar',
}
