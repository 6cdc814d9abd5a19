import type { ServerResponse } from 'node:http'

/** A named check: resolves undefined when it passes, or a short reason why it fails. */
export interface HealthCheck {
  name: string
  run(): string | undefined | Promise<string | undefined>
}

/** A check that has not answered in this long fails. */
const CHECK_TIMEOUT_MS = 2000

/**
 * Answers `/livez` and `/readyz` as kube-apiserver does: 200 `ok` when every check passes; with
 * `?verbose`, and always on failure (then 503), one line per check (`[+]ping ok`,
 * `[-]projections failed: at revision 3, the log at 120`) and `readyz check passed|failed`.
 * `/readyz/<check>` runs one check; `?exclude=<check>` (repeatable) leaves checks out.
 */
export async function serveHealth(endpoint: string, checks: readonly HealthCheck[], url: URL, res: ServerResponse): Promise<void> {
  const single = url.pathname.slice(endpoint.length + 2)
  if (single) {
    const check = checks.find((c) => c.name === single)
    if (!check) return reply(res, 404, `no ${endpoint} check named "${single}"\n`)
    const reason = await run(check)
    return reply(res, reason === undefined ? 200 : 503, reason === undefined ? 'ok' : `[-]${check.name} failed: ${reason}\n`)
  }
  const excluded = new Set(url.searchParams.getAll('exclude'))
  const chosen = checks.filter((c) => !excluded.has(c.name))
  const reasons = await Promise.all(chosen.map(run))
  const ok = reasons.every((r) => r === undefined)
  if (ok && !url.searchParams.has('verbose')) return reply(res, 200, 'ok')
  const lines = chosen.map((c, i) => (reasons[i] === undefined ? `[+]${c.name} ok` : `[-]${c.name} failed: ${reasons[i]}`))
  for (const name of excluded) if (checks.some((c) => c.name === name)) lines.push(`[+]${name} excluded: ok`)
  reply(res, ok ? 200 : 503, `${lines.join('\n')}\n${endpoint} check ${ok ? 'passed' : 'failed'}\n`)
}

async function run(check: HealthCheck): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([
      Promise.resolve().then(() => check.run()),
      new Promise<string>(
        (resolve) => (timer = setTimeout(() => resolve(`no answer within ${CHECK_TIMEOUT_MS / 1000}s`), CHECK_TIMEOUT_MS)),
      ),
    ])
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  } finally {
    clearTimeout(timer)
  }
}

function reply(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' })
  res.end(body)
}
