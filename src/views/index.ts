import type { ViewName } from '../types.js'
import { billing } from './billing.js'
import type { View } from './context.js'
import { dashboard } from './dashboard.js'
import { invoices } from './invoices.js'

export const views: Record<ViewName, View> = { dashboard, invoices, billing }
