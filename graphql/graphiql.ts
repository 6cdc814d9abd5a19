import type { GraphiQLOptions } from 'graphql-yoga'

/** Where GraphiQL's scripts, styles and workers are served, by this server (no CDN: it works offline). */
export const GRAPHIQL_ASSETS = '/graphiql/'

export interface Asset {
  body: Buffer
  contentType: string
}

type Bundle = typeof import('@graphql-yoga/render-graphiql/graphiql')

const FILES: Record<string, { export: keyof Bundle; contentType: string }> = {
  'graphiql.js': { export: 'js', contentType: 'text/javascript; charset=utf-8' },
  'graphiql.css': { export: 'css', contentType: 'text/css; charset=utf-8' },
  'editor.worker.js': { export: 'editorWorkerService', contentType: 'text/javascript; charset=utf-8' },
  'json.worker.js': { export: 'jsonWorker', contentType: 'text/javascript; charset=utf-8' },
  'graphql.worker.js': { export: 'graphqlWorker', contentType: 'text/javascript; charset=utf-8' },
  'favicon.ico': { export: 'favicon', contentType: 'image/x-icon' },
}

let assets: Promise<Map<string, Asset>> | undefined

/**
 * One of GraphiQL's files (`/graphiql/graphiql.js`, …), from `@graphql-yoga/render-graphiql`'s
 * bundle, read once on first use (it is ~9 MB); undefined for any other path.
 */
export async function graphiqlAsset(path: string): Promise<Asset | undefined> {
  if (!path.startsWith(GRAPHIQL_ASSETS) || !Object.hasOwn(FILES, path.slice(GRAPHIQL_ASSETS.length))) return undefined
  assets ??= import('@graphql-yoga/render-graphiql/graphiql').then((bundle) => {
    const out = new Map<string, Asset>()
    for (const [name, file] of Object.entries(FILES)) {
      const text = bundle[file.export]
      // The favicon comes as a data: URL; it is served as the icon it holds.
      const body = text.startsWith('data:') ? Buffer.from(text.slice(text.indexOf(',') + 1), 'base64') : Buffer.from(text)
      out.set(name, { body, contentType: file.contentType })
    }
    return out
  })
  return (await assets).get(path.slice(GRAPHIQL_ASSETS.length))
}

/** JSON for an inline script: `<` escaped, so no value can close the script element. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c')

const escapeHtml = (text: string) => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`)

/**
 * GraphiQL's page, as yoga's `renderGraphiQL`: the page `@graphql-yoga/render-graphiql` renders,
 * with its scripts, styles and workers loaded from this server (`GRAPHIQL_ASSETS`) instead of
 * inlined into every page (~9 MB) or fetched from a CDN.
 */
export function renderGraphiQL(options?: GraphiQLOptions): string {
  const asset = (name: string) => `${GRAPHIQL_ASSETS}${name}`
  const workers = { editorWorkerService: asset('editor.worker.js'), json: asset('json.worker.js'), graphql: asset('graphql.worker.js') }
  return /* HTML */ `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${escapeHtml(options?.title ?? 'GraphiQL')}</title>
    <link rel="icon" href="${asset('favicon.ico')}" />
    <link rel="stylesheet" href="${asset('graphiql.css')}" />
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>You need to enable JavaScript to run this app.</noscript>
    <div id="root"></div>
    <script>
      const workers = ${scriptJson(workers)};
      self.MonacoEnvironment = { globalAPI: false, getWorkerUrl: (moduleId, label) => workers[label] };
    </script>
    <script src="${asset('graphiql.js')}"></script>
    <script>
      YogaGraphiQL.renderYogaGraphiQL(document.querySelector('#root'), ${scriptJson(options ?? {})});
    </script>
  </body>
</html>
`
}
