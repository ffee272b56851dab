/** /headless: a plan card, a usage meter and invoices built only from the React hooks, beside the stock portal on the same client. */
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { CustomerPortal, PortalProvider, useChangePlan, useCustomer, useInvoices, usePlans, usePortalClient } from '@archetypeapi/portals/react'

const customer = new URLSearchParams(location.search).get('customer') ?? 'cus_active'
const mint = async () => (await (await fetch(`/token?customer=${encodeURIComponent(customer)}`)).json()).data.token as string
const money = (cents: number, currency: string) => new Intl.NumberFormat('en', { style: 'currency', currency }).format(cents / 100)

function PlanCard() {
  const account = useCustomer()
  const plans = usePlans()
  const { state, flow } = useChangePlan()
  if (account.status !== 'ready') return <section className="hl-card" aria-busy="true">Loading your plan…</section>
  const { plan, price } = account.data
  const choices = plans.data?.data.flatMap((p) => p.prices.filter((pr) => pr.period === price?.period && pr.id !== price?.id).map((pr) => ({ plan: p, price: pr }))) ?? []
  return (
    <section className="hl-card" aria-labelledby="hl-plan">
      <p className="hl-eyebrow">Your plan</p>
      <h2 id="hl-plan">{plan?.name ?? 'No plan'}</h2>
      {price && <p className="hl-price">{money(price.amount, price.currency)} / {price.period}</p>}
      <div className="hl-choices">
        {choices.map((c) => (
          <button key={c.price.id} type="button" disabled={state.status === 'previewing' || state.status === 'confirming'} onClick={() => void flow.choose(c.price.id)}>
            Switch to {c.plan.name}
          </button>
        ))}
      </div>
      {state.status === 'ready' && (
        <p>{money(state.preview.amount_due_now, state.preview.currency)} due now. <button type="button" onClick={() => void flow.confirm()}>Confirm</button></p>
      )}
      {state.status === 'needs_payment_method' && <p>Add a card in the portal first.</p>} {state.status === 'failed' && <p role="alert">{state.error.message}</p>}
    </section>
  )
}

function Usage() {
  const account = useCustomer()
  return (
    <section className="hl-card" aria-labelledby="hl-usage">
      <h2 id="hl-usage">Usage</h2>
      {account.data?.usage.map((m) => (
        <label key={m.metric} className="hl-meter">
          {m.name}: {m.used.toLocaleString('en')} / {m.limit?.toLocaleString('en') ?? '∞'} {m.unit}
          <meter min={0} max={m.limit ?? m.used} value={m.used} />
        </label>
      ))}
    </section>
  )
}

function Invoices() {
  const invoices = useInvoices()
  return (
    <section className="hl-card" aria-labelledby="hl-invoices">
      <h2 id="hl-invoices">Invoices</h2>
      <ul className="hl-invoices">
        {invoices.data?.data.map((i) => (
          <li key={i.id}>{new Date(i.created * 1000).toLocaleDateString('en')} · {i.number} · <strong>{money(i.total, i.currency)}</strong> <em>{i.status}</em></li>
        ))}
      </ul>
      {invoices.data?.has_more && <button type="button" onClick={() => void invoices.more()}>More</button>}
    </section>
  )
}

function Page({ token }: { token: string }) {
  const client = usePortalClient({ token, getToken: mint })
  return (
    <PortalProvider client={client}>
      <div className="hl-custom" id="headless-custom"><PlanCard /><Usage /><Invoices /></div>
      {/* TODO(s3-headless): `token` goes once createPortal takes `client` alone. */}
      <div id="customer-portal"><CustomerPortal client={client} token={token} defaultView="dashboard" /></div>
    </PortalProvider>
  )
}

createRoot(document.getElementById('headless-root')!).render(<StrictMode><Page token={await mint()} /></StrictMode>)
