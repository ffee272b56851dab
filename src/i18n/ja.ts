import type { Messages } from './messages.js'

/** Japanese. Keys left out fall back to English. */
export const ja: Partial<Messages> = {
  // shell
  'nav.label': 'カスタマーポータル',
  'nav.dashboard': 'ダッシュボード',
  'nav.invoices': '請求書',
  'nav.billing': 'お支払い',
  'nav.return': '戻る',
  'state.loading': '読み込み中…',
  'state.retry': '再試行',
  'state.expired.title': 'セッションの有効期限が切れました',
  'state.expired.body': '続行するには、ページを再読み込みするか、もう一度サインインしてください。',
  'state.error.title': '問題が発生しました',
  'state.error.body': 'アカウントを読み込めませんでした。しばらくしてからもう一度お試しください。',
  'state.unauthorized.body': 'このセッションではこのアカウントを表示できません。もう一度サインインしてください。',
  'logo.alt': 'ロゴ',
  'dialog.cancel': 'キャンセル',
  'dialog.confirm': '確認',
}
