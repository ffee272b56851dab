import { describe, expect, it } from 'vitest'
import type { Plan } from '../../src/api/types.js'
import { metricName } from '../../src/views/parts/format.js'
import {
  featuredId,
  initialPeriod,
  moveTo,
  periodsOf,
  priceFor,
  savingOf,
  selectPlans,
  signupUrl,
  yearlySaving,
} from '../../src/views/pricing/model.js'

function plan(id: string, month?: number, year?: number, extra: Partial<Plan> = {}): Plan {
  const prices = [
    ...(month === undefined ? [] : [{ id: `${id}_m`, period: 'month' as const, amount: month, currency: 'usd' }]),
    ...(year === undefined ? [] : [{ id: `${id}_y`, period: 'year' as const, amount: year, currency: 'usd' }]),
  ]
  return { id, name: id, description: '', features: [], quotas: {}, trial_days: 0, featured: false, prices, ...extra }
}

describe('pricing model', () => {
  const free = plan('free', 0)
  const starter = plan('starter', 1000, 10000)
  const pro = plan('pro', 2900, 29000, { featured: true })

  it('filters and orders plans by id, skipping unknown ids', () => {
    expect(selectPlans([free, starter, pro], ['pro', 'nope', 'starter']).map((p) => p.id)).toEqual(['pro', 'starter'])
    expect(selectPlans([free, starter]).map((p) => p.id)).toEqual(['free', 'starter'])
  })

  it('offers the periods the plans have, and the wanted one when offered', () => {
    expect(periodsOf([free])).toEqual(['month'])
    expect(periodsOf([plan('y', undefined, 100), free])).toEqual(['month', 'year'])
    expect(initialPeriod(['month', 'year'], 'year')).toBe('year')
    expect(initialPeriod(['month'], 'year')).toBe('month')
    expect(initialPeriod([], undefined)).toBe('month')
  })

  it('falls back to a single-period plan’s only price', () => {
    expect(priceFor(free, 'year')?.id).toBe('free_m')
    expect(priceFor(starter, 'year')?.id).toBe('starter_y')
  })

  it('computes the yearly saving from the prices', () => {
    expect(yearlySaving(pro)).toBe(17) // 290 vs 348
    expect(yearlySaving(free)).toBe(0)
    expect(yearlySaving(plan('dear', 100, 1500))).toBe(0)
    expect(savingOf([free, pro])).toEqual({ percent: 17, upTo: false })
    expect(savingOf([starter, pro])).toEqual({ percent: 17, upTo: false }) // 16.67% and 16.67%: both round to 17
    expect(savingOf([plan('a', 1000, 6000), pro])).toEqual({ percent: 50, upTo: true })
  })

  it('highlights featuredPlanId over the backend flag when it is shown', () => {
    expect(featuredId([starter, pro])).toBe('pro')
    expect(featuredId([starter, pro], 'starter')).toBe('starter')
    expect(featuredId([starter, pro], 'gone')).toBe('pro')
  })

  it('tells upgrades from downgrades by yearly cost', () => {
    expect(moveTo(pro.prices[0], starter.prices[0])).toBe('downgrade')
    expect(moveTo(starter.prices[0], pro.prices[1])).toBe('upgrade')
    expect(moveTo(pro.prices[0], pro.prices[0])).toBe('current')
    expect(moveTo(undefined, pro.prices[0])).toBe('switch')
  })

  it('adds plan and price to the href, keeping its params and fragment', () => {
    expect(signupUrl('/signup', 'pro', 'pro_m')).toBe('/signup?plan=pro&price=pro_m')
    expect(signupUrl('signup?ref=ad&plan=old#top', 'pro', 'p y')).toBe('signup?ref=ad&plan=pro&price=p+y#top')
    expect(signupUrl('https://app.example.com/join?utm=x', 'a&b', 'c')).toBe('https://app.example.com/join?utm=x&plan=a%26b&price=c')
  })

  it('names metrics by the plan’s metrics, else from their ids', () => {
    const named = plan('gpu', 100, undefined, { quotas: { gpu_seconds: 60 }, metrics: { gpu_seconds: { name: 'GPU time', unit: 's' } } })
    expect(metricName('gpu_seconds', named)).toBe('GPU time')
    expect(metricName('gpu_seconds', plan('gpu', 100))).toBe('GPU seconds')
    expect(metricName('gpu_seconds', null)).toBe('GPU seconds')
    expect(metricName('api_calls')).toBe('API calls')
    expect(metricName('storage_gb')).toBe('Storage GB')
    expect(metricName('seats')).toBe('Seats')
  })
})
