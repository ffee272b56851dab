// @vitest-environment node
/** Importing the element entry where there is no DOM (a server render) registers nothing and throws nothing. */
import { expect, it } from 'vitest'

it('imports without window, document or customElements', async () => {
  expect(typeof customElements).toBe('undefined')
  await expect(import('../../adapters/element/index.js')).resolves.toBeDefined()
})
