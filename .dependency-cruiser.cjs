// The browser core's import boundaries (issue 14), checked in `npm test`
// (test/unit/boundaries.test.ts) and by hand with `npm run lint:deps`.
//
// Layers, bottom to top. A module imports only from layers BELOW its own (or from its
// own layer); layers on the same rank are siblings and import nothing from each other.
//
//   rank 0  api      src/api/       typed Portal API, wire types, transport (the lowest layer)
//           dom      src/dom/       h(), dialog, live region, safeHref: DOM helpers, nothing of ours
//           i18n     src/i18n/      messages, translator, Intl formatters
//   rank 1  types    src/types.ts   the public option and handle types (wire types + messages)
//   rank 2  session  src/session/   session machine, resource store, error reporter: no DOM
//           theme    src/theme/     config -> CSS custom properties
//   rank 3  stores   src/stores/    a nanostore per resource
//   rank 4  flows    src/flows/     change plan, add card, cancel, resume: pure transitions (may use stores)
//   rank 5  client   src/client.ts  createPortalClient: session + api + stores + flows
//   rank 6  views    src/views/     renderers of stores and flows
//   rank 7  validate src/validate.ts  option checks (TypeErrors naming the option), used by the entries
//   rank 8  shell    src/shell/     the one layout: nav, session panels, localize, update diffing
//   rank 9  entries  src/index.ts src/portal.ts src/pricing.ts src/headless.ts
//   rank 10 adapters adapters/      react, vue, svelte, element: only through the entries
//
// Besides the order: no cycle anywhere; the headless layers (api, session, stores, flows,
// client, the headless entry) draw no DOM; browser code never imports the server, nor a
// Node built-in; the server takes from the browser side only the wire types.
const layers = [
  { name: 'api', rank: 0, path: '^src/api/' },
  { name: 'dom', rank: 0, path: '^src/dom/' },
  { name: 'i18n', rank: 0, path: '^src/i18n/' },
  { name: 'types', rank: 1, path: '^src/types\\.ts$' },
  { name: 'session', rank: 2, path: '^src/session/' },
  { name: 'theme', rank: 2, path: '^src/theme/' },
  { name: 'stores', rank: 3, path: '^src/stores/' },
  { name: 'flows', rank: 4, path: '^src/flows/' },
  { name: 'client', rank: 5, path: '^src/client\\.ts$' },
  { name: 'views', rank: 6, path: '^src/views/' },
  { name: 'validate', rank: 7, path: '^src/validate\\.ts$' },
  { name: 'shell', rank: 8, path: '^src/shell/' },
  { name: 'entries', rank: 9, path: '^src/(index|portal|pricing|headless)\\.ts$' },
  { name: 'adapters', rank: 10, path: '^adapters/' },
]

/** One rule per layer: nothing from a layer above it, nor from a sibling on its rank (the top layer has none to forbid). */
const layerRules = layers
  .map((layer) => ({
    name: `no-upward-from-${layer.name}`,
    severity: 'error',
    comment: `${layer.name} (rank ${layer.rank}) imports only from lower ranks: see the table at the top of .dependency-cruiser.cjs`,
    from: { path: layer.path },
    to: { path: layers.filter((other) => other !== layer && other.rank >= layer.rank).map((other) => other.path) },
  }))
  .filter((rule) => rule.to.path.length > 0)

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'no-circular',
      severity: 'error',
      // A cycle that exists at run time; a lazy chunk typing the helpers its loader hands
      // it (`import type { StripeKit } from './stripe-entry.js'`) is no cycle once compiled.
      comment: 'A cycle makes two modules one: break it by moving the shared part down a layer.',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'headless-draws-no-dom',
      severity: 'error',
      comment: 'The headless layers run without a DOM (SSR, workers, custom UIs).',
      from: { path: '^src/(api|session|stores|flows)/|^src/(client|headless)\\.ts$' },
      to: { path: '^src/(dom|theme|views|shell)/' },
    },
    {
      name: 'adapters-only-through-entries',
      severity: 'error',
      comment: "Adapters forward to the core's public entries (one copy of the core on a page); types may come from anywhere below.",
      from: { path: '^adapters/' },
      to: { path: '^src/', pathNot: '^src/(index|headless)\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'browser-never-imports-server',
      severity: 'error',
      comment: 'Server code (and its SQLite, PostgreSQL and Stripe libraries) must never reach a browser bundle.',
      from: { path: '^(src|adapters)/', pathNot: '^src/server/' },
      to: { path: '^src/server/' },
    },
    {
      name: 'browser-no-node-builtins',
      severity: 'error',
      comment: 'Browser code runs in browsers: no node: modules.',
      from: { path: '^(src|adapters)/', pathNot: '^src/server/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'server-takes-only-wire-types',
      severity: 'error',
      comment: 'The server shares only the wire types with the browser core (and the country codes both check).',
      from: { path: '^src/server/' },
      to: { path: '^(src|adapters)/', pathNot: '^src/server/|^src/api/(types|countries)\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/.*\\.d\\.ts$' },
    // Type-only imports count: a view's type imported into the api layer is still an upward import.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.mjs'] },
  },
}
