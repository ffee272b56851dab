/**
 * Decodes Stripe's form encoding (`items[0][price]=p&expand[]=x`, also used in query
 * strings) into nested objects and arrays, the way Stripe's API reads a request.
 */
export type FormValue = string | FormObject | FormValue[]
export interface FormObject {
  [key: string]: FormValue
}

/** `items[0][price]` -> ['items', '0', 'price']; `expand[]` -> ['expand', '']. */
function pathOf(key: string): string[] {
  const head = key.match(/^[^[]+/)?.[0] ?? key
  const rest = [...key.slice(head.length).matchAll(/\[([^\]]*)\]/g)].map((m) => m[1])
  return [head, ...rest]
}

export function decodeForm(text: string): FormObject {
  const root: FormObject = {}
  for (const [key, value] of new URLSearchParams(text)) {
    const path = pathOf(key)
    let node: FormObject | FormValue[] = root
    path.forEach((part, i) => {
      const last = i === path.length - 1
      const nextIsIndex = !last && /^\d*$/.test(path[i + 1])
      const container = node as Record<string, FormValue> & FormValue[]
      const slot = Array.isArray(node) && part === '' ? node.length : part
      if (last) {
        container[slot as never] = value as never
        return
      }
      if (container[slot as never] === undefined) container[slot as never] = (nextIsIndex ? [] : {}) as never
      node = container[slot as never] as unknown as FormObject | FormValue[]
    })
  }
  return root
}

/** Reads a decoded field as a string, number or boolean, the way Stripe coerces form values. */
export const str = (v: FormValue | undefined): string | undefined => (typeof v === 'string' ? v : undefined)
export const num = (v: FormValue | undefined): number | undefined => (typeof v === 'string' && v !== '' && !Number.isNaN(Number(v)) ? Number(v) : undefined)
export const bool = (v: FormValue | undefined): boolean | undefined => (v === 'true' ? true : v === 'false' ? false : undefined)
export const obj = (v: FormValue | undefined): FormObject => (v && typeof v === 'object' && !Array.isArray(v) ? v : {})
export const arr = (v: FormValue | undefined): FormValue[] => (Array.isArray(v) ? v.filter((x) => x !== undefined) : v && typeof v === 'object' ? Object.values(v) : [])
