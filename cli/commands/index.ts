import type { Command } from '../command.js'
import { apiResourcesCommand } from './api-resources.js'
import { apply, create } from './apply.js'
import { createCommands } from './create.js'
import { audit } from './audit.js'
import { auth } from './auth.js'
import { deleteCommand } from './delete.js'
import { describe } from './describe.js'
import { diff } from './diff.js'
import { exportCommand } from './export.js'
import { kubeconfigCommand } from './kubeconfig.js'
import { get } from './get.js'
import { history } from './history.js'
import { importCommand } from './import.js'
import { annotate, label } from './label.js'
import { log } from './log.js'
import { cordon, drain, taint, uncordon } from './nodes.js'
import { patch } from './patch.js'
import { replace } from './replace.js'
import { replay } from './replay.js'
import { revert } from './revert.js'
import { rollout } from './rollout.js'
import { scale } from './scale.js'
import { server } from './server.js'
import { why } from './why.js'

/** Every revkube command, in the order --help lists them. */
export const commands: Command[] = [
  get,
  describe,
  apply,
  create,
  ...createCommands,
  replace,
  deleteCommand,
  scale,
  label,
  annotate,
  patch,
  ...rollout,
  cordon,
  uncordon,
  drain,
  taint,
  history,
  diff,
  why,
  log,
  revert,
  apiResourcesCommand,
  ...auth,
  audit,
  exportCommand,
  kubeconfigCommand,
  importCommand,
  replay,
  server,
]
