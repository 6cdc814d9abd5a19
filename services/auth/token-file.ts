import { ConfigError } from '../config.js'
import type { UserInfo } from './user.js'

/**
 * kube-apiserver's static token file (--token-auth-file): CSV lines `token,user,uid,"group1,group2"`,
 * the groups column optional. Blank lines and lines starting with # are skipped. A malformed line
 * is a ConfigError naming the file and line.
 */
export function parseTokenFile(text: string, source: string): Map<string, UserInfo> {
  const tokens = new Map<string, UserInfo>()
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) return
    const fields = splitCsv(line)
    const where = `${source}, line ${i + 1}`
    if (!fields) throw new ConfigError(`${where}: an unterminated quote`)
    const [token, name, uid, groups] = fields
    if (fields.length < 3 || !token || !name) throw new ConfigError(`${where}: expected token,user,uid[,"group1,group2"]`)
    if (tokens.has(token)) throw new ConfigError(`${where}: the token is listed twice`)
    tokens.set(token, {
      name,
      ...(uid && { uid }),
      groups: groups
        ? groups
            .split(',')
            .map((g) => g.trim())
            .filter(Boolean)
        : [],
    })
  })
  return tokens
}

/** Splits one CSV line, honouring double quotes ("" inside quotes is a quote); undefined if a quote is left open. */
function splitCsv(line: string): string[] | undefined {
  const out: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"'
        i++
      } else if (c === '"') quoted = false
      else field += c
    } else if (c === '"') quoted = true
    else if (c === ',') {
      out.push(field.trim())
      field = ''
    } else field += c
  }
  if (quoted) return undefined
  out.push(field.trim())
  return out
}
