import { describe, expect, it } from 'vitest'
import { ConfigError, configFromEnv, envWithFlags } from '../../services/config.js'
import { defaultLimits } from '../../services/limits.js'

describe('configuration from the environment and flags', () => {
  it('reads the defaults: embedded database, port 4000, controllers on, no simulated nodes', () => {
    expect(configFromEnv({})).toEqual({
      database: { backend: 'pglite', dataDir: './data' },
      port: 4000,
      host: '127.0.0.1',
      securePort: 6443,
      controllers: true,
      simNodes: 0,
      shutdownTimeoutMs: 10_000,
      auth: 'token',
      dataDir: './data',
      openPaths: ['/livez', '/readyz', '/metrics'],
      cliConfig: expect.stringMatching(/\.revkube\/config\.json$/),
      limits: defaultLimits,
    })
  })

  it('reads the limits: sizes in bytes or Ki/Mi, durations with units, counts; a bad one names its variable', () => {
    expect(defaultLimits).toMatchObject({
      requestBytes: 4 * 1024 * 1024,
      objectBytes: 1_572_864,
      minRequestTimeoutMs: 1_800_000,
      auditRetentionMs: 7 * 86_400_000,
    })
    const limits = configFromEnv({
      REVKUBE_MAX_OBJECT_BYTES: '512Ki',
      REVKUBE_STATEMENT_TIMEOUT: '1500ms',
      REVKUBE_MAX_REQUESTS_INFLIGHT: '8',
    }).limits
    expect(limits).toMatchObject({ objectBytes: 524_288, statementTimeoutMs: 1500, maxRequestsInflight: 8 })
    expect(() => configFromEnv({ REVKUBE_MAX_OBJECT_BYTES: 'huge' })).toThrow(
      'REVKUBE_MAX_OBJECT_BYTES must be a size such as 1048576, 512Ki or 4Mi, got "huge"',
    )
    expect(() => configFromEnv({ REVKUBE_MAX_SCAN_ROWS: '0' })).toThrow(/REVKUBE_MAX_SCAN_ROWS must be a whole number of at least 1/)
    expect(() => configFromEnv({ REVKUBE_AUDIT_RETENTION: 'forever' })).toThrow(/REVKUBE_AUDIT_RETENTION must be a duration/)
  })

  it('reads authentication: token by default, none when asked, a token file, open paths', () => {
    expect(configFromEnv(envWithFlags(['--auth', 'none'], {}))).toMatchObject({ auth: 'none' })
    expect(configFromEnv({ REVKUBE_TOKEN_FILE: '/etc/revkube/tokens.csv', REVKUBE_OPEN_PATHS: '/livez' })).toMatchObject({
      tokenFile: '/etc/revkube/tokens.csv',
      openPaths: ['/livez'],
    })
    expect(configFromEnv({ REVKUBE_CONFIG: '/tmp/cli.json' })).toMatchObject({ cliConfig: '/tmp/cli.json' })
    expect(() => configFromEnv({ REVKUBE_AUTH: 'maybe' })).toThrow('REVKUBE_AUTH must be token or none, got "maybe"')
  })

  it('reads the shutdown grace period as a duration, bare numbers in seconds', () => {
    expect(configFromEnv(envWithFlags(['--shutdown-timeout', '2.5']))).toMatchObject({ shutdownTimeoutMs: 2500 })
    expect(configFromEnv({ REVKUBE_SHUTDOWN_TIMEOUT: '750ms' })).toMatchObject({ shutdownTimeoutMs: 750 })
    expect(configFromEnv({ REVKUBE_SHUTDOWN_TIMEOUT: '1m' })).toMatchObject({ shutdownTimeoutMs: 60_000 })
    expect(() => configFromEnv({ REVKUBE_SHUTDOWN_TIMEOUT: 'soon' })).toThrow(/REVKUBE_SHUTDOWN_TIMEOUT must be a duration such as 10s/)
  })

  it('lets a flag win over its variable, in either spelling', () => {
    const env = envWithFlags(['--sim-nodes', '3', '--port=8080', '--no-controllers', '--data-dir', '/tmp/x'], {
      REVKUBE_SIM_NODES: '9',
      PORT: '1',
    })
    expect(configFromEnv(env)).toMatchObject({ simNodes: 3, port: 8080, controllers: false, database: { dataDir: '/tmp/x' } })
    expect(configFromEnv(envWithFlags(['--controllers=false']))).toMatchObject({ controllers: false })
  })

  it('names unknown flags, missing values and bad values', () => {
    expect(() => envWithFlags(['--nodes', '3'])).toThrow(ConfigError)
    expect(() => envWithFlags(['--nodes', '3'])).toThrow(/unknown argument "--nodes"/)
    expect(() => envWithFlags(['stray'])).toThrow(/unknown argument "stray"/)
    expect(() => envWithFlags(['--port'])).toThrow(/--port needs a value/)
    expect(() => envWithFlags(['--port', '--no-controllers'])).toThrow(/--port needs a value/)
    expect(() => configFromEnv(envWithFlags(['--sim-nodes', '-1']))).toThrow(/REVKUBE_SIM_NODES must be a whole number/)
    expect(() => configFromEnv({ REVKUBE_CONTROLLERS: 'maybe' })).toThrow(/REVKUBE_CONTROLLERS must be true or false, got "maybe"/)
  })
})
