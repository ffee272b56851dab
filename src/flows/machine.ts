import type { ReadableAtom } from 'nanostores'
import type { PortalError } from '../api/types.js'
import type { FlowKit } from './kit.js'

/**
 * A flow: a nanostore of its state, moved only by its pure transition function (a table,
 * tested as one); an event the current state does not take changes nothing.
 */
export interface Flow<S extends { status: string }> extends ReadableAtom<S> {
  /** Stops the request in flight; the flow then ignores every command. */
  destroy(): void
}

/** Every flow's failure event: what a request rejected with, as a `PortalError`. */
export interface Failed {
  type: 'failed'
  error: PortalError
}

/**
 * For each state, the events it takes and the state each leads to (a function decides
 * between states, or refuses with ''). The next state keeps what the current one knew plus
 * the event's fields, except `error` (only a `failed` event brings one); `idle` and the
 * `fresh` events start from nothing, so a new choice never inherits an old preview.
 */
export type Table = Record<string, Record<string, string | ((state: never, event: never) => string)>>

export function transitions<S extends { status: string }, E extends { type: string }>(table: Table, fresh: string[]): (state: S, event: E) => S {
  return (state, event) => {
    let to = table[state.status]?.[event.type]
    if (typeof to === 'function') to = to(state as never, event as never)
    if (!to) return state
    const { type, ...fields } = event
    const { error: _, status: __, ...known } = to === 'idle' || fresh.includes(type) ? ({} as Partial<S> & { error?: unknown }) : (state as S & { error?: unknown })
    return { ...known, ...fields, status: to } as unknown as S
  }
}

/** What an effect's requests take: the signal that stops them when the flow moves on. */
export interface EffectOptions {
  signal: AbortSignal
}

/** The request a state stands for, by status; it resolves to the next event. */
export type Effects<S extends { status: string }, E> = { [K in S['status']]?: (state: Extract<S, { status: K }>, options: EffectOptions) => Promise<E> }

/** What every flow runs with: the client's signal (its destroy), its error reporting, and the kit of ./kit.ts. */
export interface FlowOptions {
  signal: AbortSignal
  report: (error: PortalError) => void
  kit: FlowKit
}

/** A command that sends its event with no fields of its own. */
export const noFields = () => ({})

/**
 * The thin, impure half of a flow: entering a state with an effect runs its request and
 * sends the event it resolves to (or `Failed`), unless the flow moved on meanwhile (then
 * the request is aborted and its answer dropped: the latest state wins). A failure also
 * reaches `report`. Each command sends the event of its name with the fields it builds
 * and resolves with the state once no request runs: the outcome.
 */
export function createFlow<S extends { status: string }, E extends { type: string }, F extends Flow<S>>(
  transition: (state: S, event: E) => S,
  effects: Effects<S, E>,
  commands: { [K in Exclude<keyof F, keyof Flow<S>>]: F[K] extends (...args: infer A) => unknown ? (...args: A) => Omit<Extract<E, { type: K }>, 'type'> : never },
  options: FlowOptions,
): F {
  const { atom, isAbortError, toPortalError } = options.kit
  const $state = atom<S>({ status: 'idle' } as S)
  let destroyed = false
  const effectOf = (state: S) => (effects as Record<string, ((state: S, options: EffectOptions) => Promise<E>) | undefined>)[state.status]
  let running: AbortController | undefined
  const waiting: ((state: S) => void)[] = []
  const settle = () => {
    const state = $state.get()
    if (!effectOf(state) || destroyed) waiting.splice(0).forEach((resolve) => resolve(state))
  }
  const destroy = () => {
    destroyed = true
    running?.abort()
    settle()
  }
  options.signal.addEventListener('abort', destroy, { once: true })

  function send(event: E): void {
    const before = $state.get()
    const next = destroyed ? before : transition(before, event)
    if (next === before) return
    running?.abort()
    $state.set(next)
    const effect = effectOf(next)
    if (effect) {
      const controller = (running = new AbortController())
      effect(next, { signal: controller.signal }).then(
        (answer) => $state.get() === next && send(answer),
        (error: unknown) => {
          if ($state.get() !== next || controller.signal.aborted || isAbortError(error)) return
          const failure = toPortalError(error)
          options.report(failure)
          send({ type: 'failed', error: failure } as unknown as E)
        },
      )
    }
    settle()
  }

  const flow: Record<string, unknown> = { destroy }
  for (const [type, fields] of Object.entries<(...args: unknown[]) => object>(commands)) {
    flow[type] = (...args: unknown[]) => {
      send({ ...fields(...args), type } as E)
      return new Promise<S>((resolve) => {
        waiting.push(resolve)
        settle()
      })
    }
  }
  return Object.assign($state, flow) as unknown as F
}
