/**
 * Usage alerts POSTed to the seller's URL, signed, retried with backoff.
 *
 *   POST <url>
 *   Content-Type: application/json
 *   Archetype-Signature: sha256=<hex HMAC-SHA256 of the raw body, keyed with the app secret>
 *   Archetype-Delivery: <alertId>:<periodStart>      (the same on every retry: dedupe on it)
 *
 *   { "type": "usage.alert", "sent_at": 1764550000, "data": { appId, customUid, metric, threshold, used, limit, of, alertId, periodStart } }
 *
 * A 2xx answer is delivered. A network error, a timeout (10 s), 429 or 5xx is retried
 * after `backoffMs`, then twice that, and so on, `attempts` times in all; any other answer
 * (a 4xx: the receiver refused it) is given up at once. Failures reach `onError`.
 */
import { createHmac } from 'node:crypto'
import type { UsageAlertEvent } from '../types.js'

export interface UsageAlertWebhook {
  /** Where alerts are POSTed (http or https). */
  url: string
  /** Your app secret (the one that signs portal tokens): the HMAC key. */
  secret: string
  /** Tries in all, default 5. */
  attempts?: number
  /** The first retry's delay, milliseconds (doubled on each retry); default 1,000. */
  backoffMs?: number
}

export const SIGNATURE_HEADER = 'archetype-signature'
const TIMEOUT_MS = 10_000

/** `sha256=<hex>`: what the receiver recomputes over the raw body and compares in constant time. */
export function signBody(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`
}

export function checkWebhookOption(option: UsageAlertWebhook, name = 'usageAlertWebhook'): void {
  const fail = (message: string) => {
    throw new TypeError(`${name}: ${message}`)
  }
  if (!option || typeof option !== 'object') fail('must be { url, secret }')
  let url: URL | null = null
  try {
    url = new URL(option.url)
  } catch {
    url = null
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) fail(`url must be an http(s) URL, not ${JSON.stringify(option.url)}`)
  if (typeof option.secret !== 'string' || option.secret.length < 16) fail('secret must be your app secret (a string of at least 16 characters): it signs each POST')
  if (option.attempts !== undefined && (!Number.isSafeInteger(option.attempts) || option.attempts < 1)) fail('attempts must be a whole number of at least 1')
  if (option.backoffMs !== undefined && (typeof option.backoffMs !== 'number' || !(option.backoffMs >= 0))) fail('backoffMs must be a number of milliseconds')
}

export function createWebhookSender(option: UsageAlertWebhook, onError: (error: unknown) => void) {
  const attempts = option.attempts ?? 5
  const backoffMs = option.backoffMs ?? 1_000
  const timers = new Set<ReturnType<typeof setTimeout>>()
  let closed = false

  function send(event: UsageAlertEvent): void {
    const body = JSON.stringify({ type: 'usage.alert', sent_at: Math.floor(Date.now() / 1000), data: event })
    const headers = { 'content-type': 'application/json', [SIGNATURE_HEADER]: signBody(body, option.secret), 'archetype-delivery': `${event.alertId}:${event.periodStart}` }
    const attempt = async (n: number): Promise<void> => {
      let failure: string
      try {
        const res = await fetch(option.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(TIMEOUT_MS) })
        await res.body?.cancel()
        if (res.ok) return
        failure = `answered ${res.status}`
        if (res.status !== 429 && res.status < 500) return onError(new Error(`usage alert webhook ${option.url} ${failure}: not retried (a 4xx is the receiver's refusal)`))
      } catch (error) {
        failure = (error as Error).message
      }
      if (n >= attempts || closed) return onError(new Error(`usage alert webhook ${option.url} failed after ${n} attempt(s): ${failure}`))
      const timer = setTimeout(() => {
        timers.delete(timer)
        void attempt(n + 1)
      }, backoffMs * 2 ** (n - 1))
      timer.unref?.()
      timers.add(timer)
    }
    void attempt(1)
  }

  /** Stops pending retries (the engine is closing). */
  function close(): void {
    closed = true
    for (const timer of timers) clearTimeout(timer)
    timers.clear()
  }

  return { send, close }
}
