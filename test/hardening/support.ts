/**
 * Shared by the hardening suites: a billing backend that counts the calls reaching it,
 * a loopback server that lets oversized headers through to the handler, and a small
 * HTTP caller that never throws on a non-JSON answer.
 */
import type { BillingBackend } from '../../src/server/billing/types.js'

export interface CountedBackend<B extends BillingBackend> {
  billing: B
  /** Method name -> calls so far. */
  calls: Map<string, number>
  total(): number
}

/** Wraps a backend in a Proxy that counts every method call that reaches it. */
export function countingBackend<B extends BillingBackend>(inner: B): CountedBackend<B> {
  const calls = new Map<string, number>()
  const billing = new Proxy(inner, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver)
      if (typeof value !== 'function' || typeof property !== 'string') return value
      return (...args: unknown[]) => {
        calls.set(property, (calls.get(property) ?? 0) + 1)
        return (value as (...a: unknown[]) => unknown).apply(target, args)
      }
    },
  })
  return { billing, calls, total: () => [...calls.values()].reduce((a, b) => a + b, 0) }
}

/** The loopback server every suite uses (test/helpers/portal.ts), under the name these files call it by. */
export { listen as serve, type Served } from '../helpers/portal.js'

export interface Answer {
  status: number
  headers: Headers
  text: string
  /** The parsed JSON, or undefined when the body is not JSON. */
  json: unknown
}

export async function answer(response: Response): Promise<Answer> {
  const text = await response.text()
  let json: unknown
  try {
    json = text ? JSON.parse(text) : undefined
  } catch {
    json = undefined
  }
  return { status: response.status, headers: response.headers, text, json }
}

export function errorCode(a: Answer): string | undefined {
  return (a.json as { error?: { code?: string } } | undefined)?.error?.code
}

/** Every string anywhere inside a JSON value (keys too). */
export function stringsIn(value: unknown, out: Set<string> = new Set()): Set<string> {
  if (typeof value === 'string') out.add(value)
  else if (Array.isArray(value)) value.forEach((item) => stringsIn(item, out))
  else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      out.add(key)
      stringsIn(item, out)
    }
  }
  return out
}

/** Counts the cases a security group tried, for the line it prints at the end. */
export function caseCounter(): { tried(): number; count(n?: number): void } {
  let tried = 0
  return { tried: () => tried, count: (n = 1) => void (tried += n) }
}
