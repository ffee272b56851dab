/** The Svelte page: a real `.svelte` component (Demo.svelte) compiled by demo/build.mjs. */
import { mount } from 'svelte'
import Demo from './Demo.svelte'
import { demo, startDemo } from './shared.js'

await startDemo()
const { customer } = demo.get()
document.getElementById('demo-customer-section')!.hidden = !customer
if (customer) mount(Demo, { target: document.getElementById('customer-portal')!, props: { kind: 'customer' } })
mount(Demo, { target: document.getElementById('pricing-portal')!, props: { kind: 'pricing' } })
