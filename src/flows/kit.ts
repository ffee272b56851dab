/**
 * What the flows take at run time from the layers below them, handed to them by the client
 * (../client.ts passes it to its flows maker: `createFlows`, or ./lazy.ts which forwards it
 * to the flows' chunk). Why: the flows' chunk then imports nothing of the core, so the
 * bundler leaves these modules with the rest the core shares with the views' chunks (one
 * initial file) instead of a shared chunk of their own (test/unit/views/kit.test.ts).
 */
import { atom } from 'nanostores'
import { isAbortError, newIdempotencyKey } from '../api/transport.js'
import { toPortalError } from '../stores/resource.js'

export const flowKit = { atom, isAbortError, newIdempotencyKey, toPortalError }
export type FlowKit = typeof flowKit
