/**
 * The layers, bottom to top (docs/architecture.md): a module may import its own layer and the ones
 * below it, never one above. `npm run lint` checks it; CI runs it, so a new arrow against the grain
 * fails the build. Known exceptions, each to be removed, are in .dependency-cruiser-known-violations.json.
 */
const layers = [
  ['foundation', '^services/(errors|log|json|config|config-error|limits)[.]ts$'],
  ['resources', '^services/(resources|tools)/'],
  ['secrets', '^services/secrets/'],
  ['store', '^(services/store|migrations)/'],
  ['projections', '^projections/'],
  ['auth, audit and quota', '^services/(auth|audit|quota)/'],
  ['api', '^services/api/'],
  ['runtime', '^services/runtime/'],
  ['controllers, scheduler, kubelets and operations', '^services/(controllers|scheduler|kubelet|operations)/'],
  ['graphql and rest (the two APIs)', '^(graphql|services/rest)/'],
  ['app (the composition root)', '^services/app/'],
  ['cli', '^cli/'],
]

const against = layers.flatMap(([name, path], i) =>
  layers.slice(i + 1).map(([above, abovePath]) => ({
    name: `no-${name.split(' ')[0]}-to-${above.split(' ')[0]}`,
    comment: `${name} sits below ${above}: it must not import it`,
    severity: 'error',
    from: { path },
    to: { path: abovePath },
  })),
)

module.exports = {
  forbidden: [
    ...against,
    {
      name: 'reactors-apart',
      comment: 'controllers, the scheduler and the kubelets share services/runtime, and never import one another',
      severity: 'error',
      from: { path: '^services/(controllers|scheduler|kubelet)/' },
      to: { path: '^services/(controllers|scheduler|kubelet|operations)/', pathNot: '^services/$1/' },
    },
    {
      name: 'operations-use-pure-helpers',
      comment: "kubectl's client-side operations may reuse the Deployment controller's pure revision and hash helpers, nothing else of the controllers",
      severity: 'error',
      from: { path: '^services/operations/' },
      to: { path: '^services/(controllers|scheduler|kubelet)/', pathNot: '^services/controllers/deployment/(revision|pod-template-hash)[.]ts$' },
    },
    {
      name: 'apis-apart',
      comment: 'GraphQL and the Kubernetes REST API are two doors onto the same resource API: neither imports the other',
      severity: 'error',
      from: { path: '^(graphql|services/rest)/' },
      to: { path: '^(graphql|services/rest)/', pathNot: '^$1/' },
    },
    {
      name: 'store-takes-its-sealer',
      comment: 'the store is given its sealer; reading the keyring from the environment is the composition root’s job',
      severity: 'error',
      from: { path: '^services/store/' },
      to: { path: '^services/secrets/keyring-config[.]ts$' },
    },
    {
      name: 'no-cycles',
      comment: 'modules that import each other are one module in two files',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'no-tests-in-production',
      severity: 'error',
      from: { path: '^(services|projections|graphql|cli|migrations)/' },
      to: { path: '^(test|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
}
