/** The one URL-safety rule: option validation (validate.ts) and every link a view draws use it. */
/**
 * An `href` only when it is http(s) or relative: `javascript:`, `data:` and the like are
 * dropped. Parsed the way the browser will parse it, so "java\nscript:" is caught too.
 */
export function safeHref(url: string | null | undefined): string | null {
  if (!url) return null
  try {
    const { protocol } = new URL(url, 'https://base.invalid/')
    return protocol === 'https:' || protocol === 'http:' ? url : null
  } catch {
    return null
  }
}
