#!/usr/bin/env node
// The `revkube` command: loads the TypeScript CLI through tsx (no build step) and runs it.
import { register } from 'tsx/esm/api'

register()
const { main } = await import('./main.ts')
await main()
