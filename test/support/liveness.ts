/**
 * The denial-of-service tests' one timing assertion: the server stays live while an attack runs.
 * `expectLive(url)` fetches `/livez` and fails unless it answers 200 within a second;
 * `whileLive(url, attack)` probes every `everyMs` while `attack` runs and fails if any probe did.
 */

/** How long /livez may take under attack. */
export const LIVENESS_TIMEOUT_MS = 1000

/** Fetches `<url>/livez` (url: the server's base URL); throws unless it answers 200 within `LIVENESS_TIMEOUT_MS`. */
export async function expectLive(url: string): Promise<void> {
  const base = url.replace(/\/graphql$/, '')
  const started = Date.now()
  let status: number
  try {
    const response = await fetch(`${base}/livez`, { signal: AbortSignal.timeout(LIVENESS_TIMEOUT_MS) })
    await response.arrayBuffer()
    status = response.status
  } catch (error) {
    throw new Error(`/livez did not answer within ${LIVENESS_TIMEOUT_MS} ms (${(error as Error).name} after ${Date.now() - started} ms)`)
  }
  if (status !== 200) throw new Error(`/livez answered ${status}`)
}

/** Runs `attack` while probing /livez every `everyMs`; resolves with the attack's result, throws if a probe failed. */
export async function whileLive<T>(url: string, attack: () => Promise<T>, everyMs = 200): Promise<T> {
  const failures: string[] = []
  let running = true
  const probe = (async () => {
    let probes = 0
    while (running || probes === 0) {
      await expectLive(url).catch((error: Error) => failures.push(error.message))
      probes++
      if (running) await new Promise((resolve) => setTimeout(resolve, everyMs))
    }
  })()
  let result: T
  try {
    result = await attack()
  } finally {
    running = false
    await probe
  }
  if (failures.length > 0) throw new Error(`the server was not live during the attack: ${failures.join('; ')}`)
  return result
}
